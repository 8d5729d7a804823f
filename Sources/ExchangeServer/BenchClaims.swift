import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PostgresClient
import Profiler
import Server
import WireJSON

/// Claims per second through HTTP: N pending requests are inserted directly, then
/// `concurrency` operators claim disjoint slices of them over keep-alive connections.
/// `scripts/bench-claim` runs this next to pgbench executing the same transaction.
struct BenchClaims: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claims", abstract: "Claim transactions per second through HTTP.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Base URL of a running exchange-server.") var url = "http://127.0.0.1:8080"
    @Option(help: "Concurrent operators.") var concurrency = 16
    @Option(help: "Pending requests to claim.") var requests = 4000

    static let seed = PostgresQuery(
        "bench_seed",
        """
        INSERT INTO requests (user_id, status, fiat_currency, fiat_amount, crypto_currency, last_seq)
        SELECT $1::uuid, 'pending', 'USD', 10.00, 'BTC', 0 FROM generate_series(1, $2::int)
        RETURNING id
        """
    )

    func run() async throws {
        let configuration = options.load()
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let services = try Infrastructure(configuration: configuration, logger: logger)
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency))
        )

        func signIn(_ phone: String) async throws -> String {
            try await services.plantCode(phone: phone, code: "424242")
            var request = HTTPClientRequest(url: url + "/api/auth/verify")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"phone":"\#(phone)","code":"424242"}"#))
            let body = try await http.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 16)
            guard let token = JSON.parse(Data(buffer: body))?["token"]?.stringValue else {
                throw ValidationError("sign-in failed")
            }
            return token
        }

        let owner = try await UserStore(primary: services.database.primary).ensureUser(phone: "+1555999\(Int.random(in: 1000...9999))")
        var tokens: [String] = []
        for _ in 0..<concurrency {
            let phone = "+1556\(Int.random(in: 1_000_000...9_999_999))"
            _ = try await services.grantOperator(phone: phone)
            tokens.append(try await signIn(phone))
        }
        let ids = try await services.database.primary.query(Self.seed, [owner.id, requests]).rows.map { try $0.decode("id", as: String.self) }
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (ok: Int, failed: Int).self) { group in
            for worker in 0..<concurrency {
                let token = tokens[worker]
                let slice = stride(from: worker, to: ids.count, by: concurrency).map { ids[$0] }
                group.addTask {
                    var ok = 0
                    var failed = 0
                    for id in slice {
                        var request = HTTPClientRequest(url: url + "/api/requests/\(id)/claim")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        let response = try await http.execute(request, timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        if response.status == .ok { ok += 1 } else { failed += 1 }
                    }
                    return (ok, failed)
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.ok, $0.1 + $1.failed) }
        }
        let seconds = (ContinuousClock.now - start).seconds
        print(
            String(
                format: "HTTP claims, concurrency %d: %d ok, %d failed in %.2f s = %.0f claims/s",
                concurrency,
                results.0,
                results.1,
                seconds,
                Double(results.0) / seconds
            )
        )
        try await http.shutdown()
        await services.close()
    }
}
