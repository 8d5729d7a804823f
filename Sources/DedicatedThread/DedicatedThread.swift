import Foundation
import Synchronization

/// A thread that runs blocking work (libpq, hiredis) off the Swift concurrency pool and off
/// NIO event loops. On a 2-core machine two blocked cooperative threads would stall the whole
/// server, so every pooled C connection owns one of these and bridges with a continuation.
///
/// Jobs run one at a time in submission order, which is also what makes the C handle they touch
/// safe to use: only this thread ever calls into it.
public final class DedicatedThread: Sendable {
    private let inbox = Inbox()

    /// - Parameter name: shown by debuggers and `top -H`, e.g. `pg-primary-3`.
    public init(name: String) {
        let thread = Thread { [inbox] in inbox.drain() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `body` on the owned thread and returns its result to the awaiting task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted = inbox.submit {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            if !accepted { continuation.resume(throwing: DedicatedThreadError.stopped) }
        }
    }

    /// Submits `job` without waiting for it; `false` if the thread is stopped.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        inbox.submit(job)
    }

    /// Lets queued jobs finish, then ends the thread. Later `run` calls throw `.stopped`.
    public func stop() {
        inbox.stop()
    }

    deinit { stop() }
}

public enum DedicatedThreadError: Error, Sendable {
    case stopped
}

/// The job queue shared by the owner and its thread.
///
/// `stop` never takes the lock: releasing a finished job's closure may free the last
/// reference to a connection whose deinit stops its own thread's inbox — possibly while a
/// lock is held further up the stack (a recursive lock would crash the process).
private final class Inbox: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        /// Set by the thread as it exits: from then on `submit` refuses.
        var closed = false
    }

    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let wakeup = DispatchSemaphore(value: 0)

    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard !s.closed, !stopped.load(ordering: .acquiring) else { return false }
            s.jobs.append(job)
            return true
        }
        if accepted { wakeup.signal() }
        return accepted
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// The thread's loop: one signal per job, plus one for `stop`.
    func drain() {
        while true {
            wakeup.wait()
            // Finished jobs are compacted under the lock but released after it (see above).
            let (next, finished) = state.withLock { s -> ((@Sendable () -> Void)?, [@Sendable () -> Void]) in
                guard s.head < s.jobs.count else { return (nil, []) }
                let job = s.jobs[s.head]
                s.head += 1
                var finished: [@Sendable () -> Void] = []
                if s.head > 64, s.head * 2 > s.jobs.count {
                    finished = Array(s.jobs[..<s.head])
                    s.jobs.removeFirst(s.head)
                    s.head = 0
                }
                return (job, finished)
            }
            _ = consume finished
            if let next {
                next()
                continue
            }
            guard stopped.load(ordering: .acquiring) else { continue }
            // Close: jobs accepted while `stop` raced with `submit` still run; every closure
            // (they may hold the thread's owner) is released outside the lock.
            let (pending, all) = state.withLock { s -> ([@Sendable () -> Void], [@Sendable () -> Void]) in
                s.closed = true
                defer {
                    s.jobs = []
                    s.head = 0
                }
                return (Array(s.jobs[s.head...]), s.jobs)
            }
            for job in pending { job() }
            _ = consume pending
            _ = consume all
            return
        }
    }
}
