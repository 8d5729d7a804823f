import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child the lab started and may kill and start again (a server instance, a worker
/// process, a private Redis): `start` spawns it and returns once it answers.
public final class RestartableProcess: Sendable {
    /// `server #1`, `worker #1`, `redis`.
    public let label: String
    let start: @Sendable () async throws -> ChildProcess
    private let current = Mutex<ChildProcess?>(nil)

    public init(label: String, start: @escaping @Sendable () async throws -> ChildProcess) {
        self.label = label
        self.start = start
    }

    /// Starts the process (again) and waits until it answers.
    @discardableResult
    public func launch() async throws -> ChildProcess {
        let child = try await start()
        current.withLock { $0 = child }
        return child
    }

    public var process: ChildProcess? { current.withLock { $0 } }

    /// `kill -9` and reap; returns what was killed (`server #1 pid 4242`).
    public func kill9() async throws -> String {
        guard let child = process, child.isRunning else { throw ScenarioError("\(label) is not running") }
        kill(child.pid, SIGKILL)
        _ = await child.wait(timeout: .seconds(5))
        return "\(label) pid \(child.pid)"
    }

    /// SIGTERM (SIGKILL after `grace`); returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32? {
        await process?.stop(grace: grace)
    }
}
