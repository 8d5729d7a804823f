import ArgumentParser
import Foundation
import Server

/// `exchange-server dev-code PHONE [--operator]`: a development and CI tool. Stores a fresh
/// one-time code for PHONE (creating the user, promoting it with `--operator`) without
/// sending an SMS, and prints the code, so a script can sign in through the real
/// `POST /api/auth/verify` (the API fuzzer in `scripts/fuzz-api` does). It needs the database
/// credentials of the server itself: it grants nothing a database operator couldn't already do.
struct DevCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-code",
        abstract: "Development/CI only: store a one-time code for PHONE without sending it, and print it."
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "Phone number in E.164, e.g. +15551234567.") var phone: String
    @Flag(name: .customLong("operator"), help: "Also make the user an operator.") var makeOperator = false

    func validate() throws {
        guard phone.first == "+", phone.count >= 9, phone.count <= 16, phone.dropFirst().allSatisfy(\.isNumber), phone.dropFirst().first != "0" else {
            throw ValidationError("phone must be E.164, e.g. +15551234567")
        }
    }

    func run() async throws {
        let configuration = options.load()
        let services = try ExchangeServices(configuration: configuration, logger: makeLogger(configuration))
        if makeOperator { _ = try await services.grantOperator(phone: phone) }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        try await services.plantCode(phone: phone, code: code)
        print(code)
        await services.close()
    }
}
