import Testing

@testable import PostgresClient

/// The pool's bookkeeping without any I/O.
@Suite struct PoolStateTests {
    @Test func createsUpToMaxThenQueues() {
        var state = PoolState<String>(maxSize: 2)
        guard case .create = state.acquire(waiter: 1) else {
            Issue.record("expected create")
            return
        }
        guard case .create = state.acquire(waiter: 2) else {
            Issue.record("expected create")
            return
        }
        guard case .wait = state.acquire(waiter: 3) else {
            Issue.record("expected wait")
            return
        }
        #expect(state.open == 2)
        #expect(state.waiters == [3])
    }

    @Test func releaseHandsOverToFirstWaiter() {
        var state = PoolState<String>(maxSize: 1)
        _ = state.acquire(waiter: 1)
        _ = state.acquire(waiter: 2)
        _ = state.acquire(waiter: 3)
        guard case .handOver("c", let to) = state.release("c") else {
            Issue.record("expected hand-over")
            return
        }
        #expect(to == 2)
        #expect(state.waiters == [3])
    }

    @Test func discardReopensForWaiter() {
        var state = PoolState<String>(maxSize: 1)
        _ = state.acquire(waiter: 1)
        _ = state.acquire(waiter: 2)
        guard case .create(let id) = state.discard() else {
            Issue.record("expected create")
            return
        }
        #expect(id == 2)
        #expect(state.open == 1)
    }

    @Test func timedOutWaiterLeavesQueue() {
        var state = PoolState<String>(maxSize: 1)
        _ = state.acquire(waiter: 1)
        _ = state.acquire(waiter: 2)
        let first = state.timeout(waiter: 2)
        let second = state.timeout(waiter: 2)
        #expect(first)
        #expect(!second)
        guard case .none = state.release("c") else {
            Issue.record("expected idle")
            return
        }
        #expect(state.idle == ["c"])
    }

    @Test func idleConnectionIsReusedBeforeOpeningAnother() {
        var state = PoolState<String>(maxSize: 4)
        _ = state.acquire(waiter: 1)
        _ = state.release("c")
        guard case .use("c") = state.acquire(waiter: 2) else {
            Issue.record("expected reuse")
            return
        }
        #expect(state.open == 1)
    }

    @Test func closeFailsWaitersAndClosesReturns() {
        var state = PoolState<String>(maxSize: 1)
        _ = state.acquire(waiter: 1)
        _ = state.acquire(waiter: 2)
        let closed = state.close()
        #expect(closed.waiters == [2])
        guard case .close("c") = state.release("c") else {
            Issue.record("expected close")
            return
        }
        guard case .fail = state.acquire(waiter: 3) else {
            Issue.record("expected fail")
            return
        }
        #expect(state.open == 0)
    }
}
