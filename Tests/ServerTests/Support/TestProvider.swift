import Foundation
import Logging
import ProviderSimulator
import TestSupport
import WireJSON

/// The provider simulator, in-process on an ephemeral port, for tests that need real side
/// effects over HTTP.
struct TestProvider: Sendable {
    let simulator: ProviderSimulator
    /// Where the exchange reaches it (`provider.url`).
    let url: String

    var provider: SimulatedProvider { simulator.provider }

    /// Starts a simulator, runs `body` against it, stops it gracefully.
    static func with<T: Sendable>(
        latencyMs: Int = 1,
        errorRate: Double = 0,
        _ body: @Sendable (TestProvider) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test-provider")
        logger.logLevel = .warning
        let simulator = try ProviderSimulator(configuration: .init(port: 0, latencyMs: latencyMs, errorRate: errorRate), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = simulator.makeApplication { port in continuation.yield(port) }
        return try await withRunningServices([app], logger: logger, onEnded: { continuation.finish() }) {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("provider did not start") }
            return try await body(TestProvider(simulator: simulator, url: "http://127.0.0.1:\(port)"))
        }
    }

    /// Changes the simulator's behaviour while it runs.
    func set(latencyMs: Int? = nil, errorRate: Double? = nil) throws {
        var update: [String: JSON] = [:]
        if let latencyMs { update["latencyMs"] = .int(latencyMs) }
        if let errorRate { update["errorRate"] = .double(errorRate) }
        try provider.updateBehaviour(update)
    }

    /// Accepted messages matching `filter`, as of now.
    func messages(matching filter: MessageFilter) -> [ReceivedMessage] {
        provider.messages(matching: filter)
    }

    /// Accepted messages carrying `key` (duplicates included), as of now.
    func messages(key: String) -> [ReceivedMessage] {
        provider.messages(matching: MessageFilter(idempotencyKey: key))
    }

    /// Waits up to `timeout` until at least `count` messages match `filter` (queued side
    /// effects arrive later) and returns them; throws if they don't arrive.
    func messages(_ filter: MessageFilter, atLeast count: Int = 1, timeout: Duration = .seconds(10)) async throws -> [ReceivedMessage] {
        try await eventually("\(count) provider message(s) matching \(filter)", timeout: timeout) {
            let found = provider.messages(matching: filter)
            return found.count >= count ? found : nil
        }
    }
}
