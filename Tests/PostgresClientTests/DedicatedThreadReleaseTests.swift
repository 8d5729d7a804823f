import DedicatedThread
import Synchronization
import TestSupport
import Testing

/// The thread every pooled C connection owns: a job's closure is let go as soon as it ran, on
/// the thread and outside the inbox's lock — also when it held the thread's last owner.
@Suite struct DedicatedThreadReleaseTests {
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// Sets `gone` when deallocated.
    final class Tracked: Sendable {
        let thread: DedicatedThread
        let gone: Flag
        init(gone: Flag, name: String) {
            self.gone = gone
            self.thread = DedicatedThread(name: name)
        }
        deinit { gone.set() }
    }

    @Test func aJobsClosureIsReleasedOnceItRan() async throws {
        let thread = DedicatedThread(name: "dedicated-release")
        defer { thread.stop() }
        let gone = Flag()
        do {
            let payload = Tracked(gone: gone, name: "dedicated-payload")
            _ = try await thread.run { [payload] in payload.gone.isSet }
            payload.thread.stop()
        }
        // Only the finished job held `payload`: it is released, not parked in the queue.
        try await eventually("the finished job's closure was released") { gone.isSet }
    }

    @Test func anOwnerReleasedByItsOwnThreadGoesAway() async throws {
        let gone = Flag()
        do {
            let owner = Tracked(gone: gone, name: "dedicated-owner")
            // More jobs than the inbox compacts at, each holding the owner, which loses its
            // last outside reference while they run: the last job's release ends it, on its
            // own thread (stopping the inbox from inside its lock crashed).
            for _ in 0..<200 {
                owner.thread.submit { [owner] in _ = owner.gone.isSet }
            }
        }
        try await eventually("the owner was released by its own thread") { gone.isSet }
    }
}
