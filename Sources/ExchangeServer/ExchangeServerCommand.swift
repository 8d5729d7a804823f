import ArgumentParser
import Foundation
import Logging
import PostgresClient
import Server

/// The entry point (run from `main.swift`).
struct ExchangeServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-server",
        abstract: "Exchange Lab: a real-time fiat-crypto exchange server.",
        subcommands: [Serve.self, Migrate.self, GrantOperator.self, Worker.self, Jobs.self, Metrics.self, Bench.self, DevCode.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every subcommand shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file (every field optional; EXCHANGE_* variables override it).")
    var config: String?

    /// Loads and validates; a bad value ends the process with one line naming the field.
    func load(port: Int? = nil) -> ServerConfiguration {
        do {
            var configuration = try ServerConfiguration.load(file: config)
            if let port { configuration.http.port = port }
            return configuration
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// Says so when codes are keyed by the published development secret.
func warnAboutDevelopmentSecret(_ configuration: ServerConfiguration, _ logger: Logger) {
    guard configuration.auth.secret == ServerConfiguration.Auth.developmentSecret else { return }
    logger.warning(
        "auth.secret is the development default: set EXCHANGE_AUTH_SECRET (32+ characters, the same for every server and worker) before real use"
    )
}

func makeLogger(_ configuration: ServerConfiguration, label: String = "exchange") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP/WebSocket server (default).")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Port to listen on (overrides http.port).") var port: Int?
    @Option(help: "In-process queue workers (overrides workers.count; 0 leaves jobs to `exchange-server worker`).") var workers: Int?

    func run() async throws {
        var configuration = options.load(port: port)
        if let workers {
            guard (0...64).contains(workers) else {
                FileHandle.standardError.write(Data("configuration error: --workers: must be an integer in 0...64\n".utf8))
                Foundation.exit(2)
            }
            configuration.workers.count = workers
        }
        let settings = configuration
        let logger = makeLogger(settings)
        warnAboutDevelopmentSecret(settings, logger)
        let services = try ExchangeServices(configuration: settings, logger: logger)
        let app = ExchangeApplication.build(services: services) { port in
            logger.notice("exchange-server listening", metadata: ["url": "http://\(settings.http.host):\(port)"])
        }
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations to the primary.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = options.load()
        // As the schema owner (`db.migrationUrl`), never as the application role.
        let pool = PostgresPool(configuration: PostgresConfiguration(url: configuration.db.migrationUrl, name: "migrate", poolSize: 1))
        defer { pool.close() }
        let applied = try await Migrator(pool: pool, appRole: configuration.db.appRole).migrate()
        print(applied.isEmpty ? "schema is current" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct GrantOperator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant-operator", abstract: "Create or promote a user to operator.")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "Phone number in E.164, e.g. +15551234567.") var phone: String

    func validate() throws {
        guard phone.first == "+", phone.count >= 9, phone.count <= 16, phone.dropFirst().allSatisfy(\.isNumber), phone.dropFirst().first != "0" else {
            throw ValidationError("phone must be E.164, e.g. +15551234567")
        }
    }

    func run() async throws {
        let configuration = options.load()
        let infrastructure = try Infrastructure(configuration: configuration, logger: makeLogger(configuration))
        let user = try await infrastructure.grantOperator(phone: phone)
        print("operator \(user.id)")
        await infrastructure.close()
    }
}
