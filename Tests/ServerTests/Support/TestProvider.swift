import Foundation
import ProviderSimulator

/// The provider simulator, in-process on an ephemeral port, for tests that need real side
/// effects over HTTP.
enum TestProvider {
    static func with<T: Sendable>(
        latencyMs: Int = 1, errorRate: Double = 0,
        _ body: @Sendable (_ provider: SimulatedProvider, _ url: String) async throws -> T
    ) async throws -> T {
        let simulator = try ProviderSimulator(configuration: .init(port: 0, latencyMs: latencyMs, errorRate: errorRate))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await simulator.run { port in continuation.yield(port) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("provider did not start") }
            do {
                let result = try await body(simulator.provider, "http://127.0.0.1:\(port)")
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Waits up to `timeout` for messages matching `filter` (queued side effects arrive later).
    static func messages(_ provider: SimulatedProvider, _ filter: MessageFilter, atLeast count: Int = 1, timeout: Duration = .seconds(10)) async throws -> [ReceivedMessage] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = provider.messages(matching: filter)
            if found.count >= count || ContinuousClock.now > deadline { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
