import Profiler
import Synchronization

/// At most `limit` requests of one ``APIClient`` on the wire at once; the rest wait here, and
/// the wait is measured: time a request spent queued inside the client before it could be
/// written. A load engine whose requests queue for a connection is not measuring the server
/// (``EngineHealth``), so the report says so.
final class ConnectionGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
        var queued = 0
        var waits = LatencyHistogram()
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Takes a slot, waiting if none is free.
    func acquire() async {
        let clock = ContinuousClock()
        let started = clock.now
        let mustWait = state.withLock { state -> Bool in
            if state.available > 0 {
                state.available -= 1
                return false
            }
            return true
        }
        guard mustWait else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        let waited = clock.now - started
        state.withLock { state in
            state.queued += 1
            state.waits.record(waited)
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.head < state.waiters.count {
                let continuation = state.waiters[state.head]
                state.head += 1
                if state.head > 1024, state.head * 2 > state.waiters.count {
                    state.waiters.removeFirst(state.head)
                    state.head = 0
                }
                return continuation
            }
            state.available += 1
            return nil
        }
        next?.resume()
    }

    /// Requests that had to wait, and how long, since the last call; resets both.
    func takeWaits() -> (queued: Int, waits: LatencyHistogram) {
        state.withLock { state in
            let result = (state.queued, state.waits)
            state.queued = 0
            state.waits = LatencyHistogram()
            return result
        }
    }
}
