import Foundation
import Hummingbird
import Logging

/// The fake SMS / email / webhook / analytics provider the exchange calls for its side effects,
/// as an embeddable HTTP server.
///
/// ```swift
/// let simulator = try ProviderSimulator(configuration: .init(port: 0, latencyMs: 50))
/// let app = simulator.makeApplication { port in print("listening on \(port)") }
/// try await app.run()   // or add `app` to a ServiceGroup
/// ```
public struct ProviderSimulator: Sendable {
    public let configuration: Configuration
    /// The provider's state: what it received, its counters and its current behaviour.
    public let provider: SimulatedProvider
    public let logger: Logger

    /// Uses a generator seeded with `configuration.seed`, or the system generator when it is `nil`.
    public init(configuration: Configuration = Configuration(), logger: Logger = ProviderSimulator.defaultLogger()) throws(ConfigurationError) {
        if let seed = configuration.seed {
            try self.init(configuration: configuration, random: SplitMix64(seed: seed), logger: logger)
        } else {
            try self.init(configuration: configuration, random: SystemRandomNumberGenerator(), logger: logger)
        }
    }

    /// Uses `random` for every latency and failure draw.
    public init(
        configuration: Configuration,
        random: some RandomNumberGenerator & Sendable,
        logger: Logger = ProviderSimulator.defaultLogger()
    ) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.provider = SimulatedProvider(
            behaviour: configuration.behaviour,
            maxMessages: configuration.maxMessages,
            random: random,
            logger: logger
        )
    }

    /// The routes of the simulator (see `ProviderRoutes`), for mounting or testing.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        ProviderRoutes(provider: self.provider, maxBodyBytes: self.configuration.maxBodyBytes).register(on: router)
        return router
    }

    /// The server, bound to `configuration.host:port` when run. `onServerRunning` receives the bound
    /// port (useful with port 0). The result is a `Service`: run it alone with `run()` (ends when its
    /// task is cancelled), with `runService()` (ends on SIGINT/SIGTERM), or in a `ServiceGroup`.
    public func makeApplication(
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: self.makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: nil,
                backlog: 4096
            ),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? 0)
            },
            logger: self.logger
        )
    }

    /// A logger labelled `provider-simulator`, at the level named by `LOG_LEVEL` (default `info`).
    public static func defaultLogger() -> Logger {
        var logger = Logger(label: "provider-simulator")
        if let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) {
            logger.logLevel = level
        }
        return logger
    }

    /// Runs the server until the calling task is cancelled.
    public func run(onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
        try await self.makeApplication(onServerRunning: onServerRunning).run()
    }
}
