import DedicatedThread
import Synchronization

/// One Redis connection: a hiredis context that lives on its own ``DedicatedThread``, so
/// blocking socket calls never run on the Swift concurrency pool.
///
/// Commands are pipelined. The first caller to find the connection idle becomes the *drainer*:
/// its job on the thread takes every command queued meanwhile, appends them all, then reads one
/// reply each and resumes their callers. If more commands queued up while it worked, it hands
/// the drainer role to the oldest of them instead of keeping its own caller waiting.
///
/// A broken connection fails the commands in flight with ``RedisError/connectionFailed(_:)``;
/// the next command reconnects, with a short backoff (fail-fast) while Redis stays unreachable.
public final class RedisConnection: RedisCommandExecutor, Sendable {
    private struct Waiter {
        let command: RedisCommand
        /// Resumed with the reply, or with `nil` to make this caller the next drainer.
        let continuation: CheckedContinuation<RedisValue?, Error>
    }

    private struct State {
        var draining = false
        var closed = false
        var waiters: [Waiter] = []
    }

    /// Most commands one batch takes; the rest go to the next batch.
    static let maxBatch = 1024

    /// The configuration this connection uses.
    public let configuration: RedisConfiguration
    private let thread: DedicatedThread
    private let link: ConnectionLink
    private let state = Mutex(State())
    private let observer: RedisCommandObserver?
    private let inFlightCount = Atomic<Int>(0)

    /// Creates the connection; it connects lazily, on the first command.
    /// - Parameters:
    ///   - name: the thread's name, e.g. `redis-2`.
    ///   - onCommand: called after every command (see ``RedisCommandObserver``).
    public init(configuration: RedisConfiguration = .init(), name: String = "redis", onCommand: RedisCommandObserver? = nil) {
        self.configuration = configuration
        self.thread = DedicatedThread(name: name)
        self.link = ConnectionLink(configuration: configuration)
        self.observer = onCommand
    }

    /// Commands sent and not yet answered.
    public var inFlight: Int {
        inFlightCount.load(ordering: .relaxed)
    }

    public func execute(_ command: RedisCommand) async throws -> RedisValue {
        inFlightCount.add(1, ordering: .relaxed)
        defer { inFlightCount.subtract(1, ordering: .relaxed) }
        guard let observer else { return try await pipelined(command) }
        let start = ContinuousClock.now
        do {
            let value = try await pipelined(command)
            observer(command.name, ContinuousClock.now - start, true)
            return value
        } catch {
            observer(command.name, ContinuousClock.now - start, false)
            throw error
        }
    }

    /// Fails queued commands with ``RedisError/closed``, lets the batch on the thread finish,
    /// frees the context and ends the thread. Later commands throw ``RedisError/closed``.
    public func close() async {
        let abandoned = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in abandoned {
            waiter.continuation.resume(throwing: RedisError.closed)
        }
        _ = try? await thread.run { [link] in link.disconnect() }
        thread.stop()
    }

    private func pipelined(_ command: RedisCommand) async throws -> RedisValue {
        let isDrainer = try state.withLock { state in
            guard !state.closed else { throw RedisError.closed }
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if !isDrainer {
            let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RedisValue?, Error>) in
                enum Admission { case queued, drain, closed }
                let admission = state.withLock { state -> Admission in
                    if state.closed { return .closed }
                    if state.draining {
                        state.waiters.append(Waiter(command: command, continuation: continuation))
                        return .queued
                    }
                    state.draining = true
                    return .drain
                }
                switch admission {
                case .queued: break
                case .drain: continuation.resume(returning: nil)
                case .closed: continuation.resume(throwing: RedisError.closed)
                }
            }
            if let reply { return reply }
        }
        do {
            return try await thread.run { [self] in try drain(first: command) }
        } catch is DedicatedThreadError {
            throw RedisError.closed
        }
    }

    /// Runs on the thread: sends `first` plus everything queued as one pipeline, resumes the
    /// queued callers, hands the drainer role on if more arrived, and returns `first`'s reply.
    private func drain(first: RedisCommand) throws -> RedisValue {
        let batch = try state.withLock { state -> [Waiter] in
            guard !state.closed else { throw RedisError.closed }
            let count = min(state.waiters.count, Self.maxBatch - 1)
            defer { state.waiters.removeFirst(count) }
            return Array(state.waiters.prefix(count))
        }
        let results = link.execute([first] + batch.map(\.command))
        for (waiter, result) in zip(batch, results.dropFirst()) {
            waiter.continuation.resume(with: result.map { Optional($0) })
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.draining = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: nil)
        return try results[0].get()
    }
}
