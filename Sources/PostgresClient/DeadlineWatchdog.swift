import Foundation
import Synchronization

/// The response deadline of every statement in flight (``PostgresConnection``), checked by one
/// thread of its own.
///
/// Arming a deadline is a dictionary insert under a lock. A timer task per statement, as
/// before, cost a task, a timer registration and a cancellation wake-up on every query
/// (docs/performance.md). The thread looks every `interval`, so a deadline fires up to that
/// much late.
final class DeadlineWatchdog: Sendable {
    static let shared = DeadlineWatchdog(interval: .milliseconds(20))

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        var started = false
    }

    private let state = Mutex(State())
    private let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    /// Calls `expire` (from the watchdog's thread) once `deadline` has passed, unless disarmed
    /// first. Returns the ticket for ``disarm(_:)``.
    func arm(deadline: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) -> Int {
        let (id, start) = state.withLock { s -> (Int, Bool) in
            let id = s.nextID
            s.nextID &+= 1
            s.entries[id] = Entry(deadline: deadline, expire: expire)
            defer { s.started = true }
            return (id, !s.started)
        }
        if start {
            let thread = Thread { [self] in watch() }
            thread.name = "pg-deadlines"
            thread.stackSize = 1 << 18
            thread.start()
        }
        return id
    }

    func disarm(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    private func watch() {
        let pause = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        while true {
            Thread.sleep(forTimeInterval: pause)
            let now = ContinuousClock.now
            let expired = state.withLock { s -> [Entry] in
                let due = s.entries.filter { $0.value.deadline <= now }
                for id in due.keys { s.entries.removeValue(forKey: id) }
                return Array(due.values)
            }
            for entry in expired { entry.expire() }
        }
    }
}
