import CLibPQ
import Synchronization

/// A connection's `PGcancel`: `PQcancel` may be called from any thread while the connection's
/// own thread is blocked in a statement. Freed when the last user lets go.
final class CancelHandle: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Asks the server to cancel whatever the connection is running. Blocking (it connects to
    /// the server): call it from a thread of its own.
    func cancel() {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(pointer, &buffer, Int32(buffer.count))
    }

    deinit { PQfreeCancel(pointer) }
}

/// A continuation resumed at most once, by whichever comes first: the result, a timeout or a
/// cancellation. A resume that arrives before the continuation is attached is kept for it.
/// It also knows whether the call behind the result still runs on the connection's thread,
/// which it may do long after a timeout or cancellation resumed the caller.
final class OneShot<T: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<T, Error>?)
        case finished(Result<T, Error>?)
    }

    private let state = Mutex<State>(.waiting(nil))
    private let callRunning = Atomic(true)

    /// Until ``callReturned(_:)``.
    var callIsRunning: Bool { callRunning.load(ordering: .acquiring) }

    /// The call's own result (or its refusal to start): the call no longer runs, and the
    /// caller resumes with it unless a timeout or cancellation came first.
    func callReturned(_ result: Result<T, Error>) {
        callRunning.store(false, ordering: .releasing)
        resume(result)
    }

    func attach(_ continuation: CheckedContinuation<T, Error>) {
        let early = state.withLock { s -> Result<T, Error>? in
            switch s {
            case .waiting:
                s = .waiting(continuation)
                return nil
            case .finished(let result):
                s = .finished(nil)
                return result
            }
        }
        if let early { continuation.resume(with: early) }
    }

    /// `true` when this call decided the outcome. `beforeResuming` runs only then, before the
    /// waiting caller resumes (e.g. to mark the connection broken before the caller can hand it
    /// back to the pool).
    @discardableResult
    func resume(_ result: Result<T, Error>, beforeResuming: () -> Void = {}) -> Bool {
        let action = state.withLock { s -> (Bool, CheckedContinuation<T, Error>?) in
            guard case .waiting(let continuation) = s else { return (false, nil) }
            s = .finished(continuation == nil ? result : nil)
            return (true, continuation)
        }
        if action.0 { beforeResuming() }
        action.1?.resume(with: result)
        return action.0
    }
}
