import DedicatedThread
import Dispatch
import Testing

/// The thread every hiredis and libpq connection owns (Sources/DedicatedThread).
@Suite struct DedicatedThreadTests {
    /// A connection whose last reference sits in its own thread's finished jobs is released
    /// when the inbox compacts them; its deinit stops that same inbox. This crashed with
    /// "Recursive call to lock Mutex" when compaction released jobs under the inbox's lock
    /// (seen when a server stopped after its Redis had restarted).
    @Test func anOwnerReleasedByItsOwnFinishedJobsStopsCleanly() async throws {
        let gate = DispatchSemaphore(value: 0)
        var thread: DedicatedThread? = DedicatedThread(name: "owner-test")
        weak let observed = thread
        // Jobs 1…69 hold the thread; compaction at job 71 of 141 releases them all at once.
        thread?.submit { gate.wait() }
        for _ in 1...69 { thread?.submit { [thread] in _ = thread } }
        for _ in 70...140 { thread?.submit {} }
        thread = nil
        gate.signal()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while observed != nil, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(observed == nil, "the thread was not released after its jobs ran")
    }
}
