import Synchronization

/// Critical before the rest, within one worker process: while the critical queue is busy (its
/// last read came back full, or all its slots are taken), the standard and analytics consumers
/// read a quarter of their free slots per round and pause between rounds. They are slowed,
/// never starved.
final class PriorityGate: Sendable {
    /// Unix ms until which critical counts as busy.
    private let busyUntil = Atomic<Int64>(0)
    /// How long one busy signal lasts.
    let hold: Duration
    /// The pause of a lower-priority consumer per round while critical is busy.
    let yield: Duration

    init(hold: Duration = .milliseconds(200), yield: Duration = .milliseconds(25)) {
        self.hold = hold
        self.yield = yield
    }

    func markCriticalBusy() {
        busyUntil.store(UnixTime.nowMs() + Int64(hold.seconds * 1000), ordering: .relaxed)
    }

    var isCriticalBusy: Bool {
        busyUntil.load(ordering: .relaxed) > UnixTime.nowMs()
    }

    /// How many entries a consumer of `queue` with `free` slots should read this round.
    func readCount(for queue: QueueName, free: Int) -> Int {
        guard queue != .critical, isCriticalBusy else { return free }
        return max(1, free / 4)
    }
}
