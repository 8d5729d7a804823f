import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Children still running, so an interrupted `scenarios` doesn't leave servers holding ports.
enum ChildRegistry {
    static let running = Mutex<Set<pid_t>>([])
    static let interrupted = Atomic<Bool>(false)
    static let sources = Mutex<[any DispatchSourceSignal]>([])

    static func add(_ pid: pid_t) {
        _ = running.withLock { $0.insert(pid) }
    }

    static func remove(_ pid: pid_t) {
        _ = running.withLock { $0.remove(pid) }
    }

    /// On SIGINT or SIGTERM: SIGTERM every child, give them a moment, SIGKILL, exit 130.
    static func installInterruptHandler() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    interrupted.store(true, ordering: .sequentiallyConsistent)
                    // Children may still be spawning: signal whatever runs, repeatedly, for 2 s.
                    for _ in 0..<20 {
                        for pid in running.withLock({ $0 }) { kill(pid, SIGTERM) }
                        usleep(100_000)
                    }
                    for pid in running.withLock({ $0 }) { kill(pid, SIGKILL) }
                    exit(130)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

/// Stops child servers and providers if `scenarios` is interrupted (call once at start-up).
public func stopChildrenOnInterrupt() {
    ChildRegistry.installInterruptHandler()
}
