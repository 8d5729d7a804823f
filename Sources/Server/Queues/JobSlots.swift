import Synchronization

/// A consumer's concurrency limit: how many jobs run at once, and a way to wait for a free slot
/// without polling. Only the consumer's read loop waits; finishing jobs signal it.
final class JobSlots: Sendable {
    let limit: Int
    private let used = Mutex(0)
    private let signal: AsyncStream<Void>.Continuation
    private let signals: AsyncStream<Void>

    init(limit: Int) {
        self.limit = max(1, limit)
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var inUse: Int { used.withLock { $0 } }
    var free: Int { limit - inUse }

    func take(_ count: Int = 1) {
        used.withLock { $0 += count }
    }

    func release() {
        used.withLock { $0 -= 1 }
        signal.yield()
    }

    /// Waits until at least one slot is free and returns how many are; `0` when cancelled.
    func waitForFree() async -> Int {
        var iterator = signals.makeAsyncIterator()
        while true {
            let available = free
            if available > 0 { return available }
            guard await iterator.next() != nil, !Task.isCancelled else { return 0 }
        }
    }

    /// Waits until every job finished or `timeout` passed; `true` when all finished.
    func waitIdle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while inUse > 0 {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    deinit {
        signal.finish()
    }
}
