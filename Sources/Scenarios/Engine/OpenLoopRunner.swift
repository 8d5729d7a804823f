import Profiler
import Synchronization

/// Drives operations at a scheduled arrival rate, regardless of how long each one takes.
///
/// Each operation receives its *scheduled* start instant and measures latency from it, so a
/// stalled server shows the queueing it caused (no coordinated omission). The runner measures
/// itself: the delay from scheduled to actually started, operations it had to drop because
/// `maxInFlight` were already running, and its CPU use.
public struct OpenLoopRunner: Sendable {
    public var schedule: ArrivalSchedule
    public var duration: Duration
    public var maxInFlight: Int = 5_000

    /// What one run of the loop did.
    public struct Outcome: Sendable {
        public var scheduled: Int
        public var dropped: Int
        public var dispatchDelay: LatencyHistogram
        /// From the first scheduled arrival until the last operation finished.
        public var elapsed: Duration
        public var cpuSeconds: Double
        /// The instant of the first scheduled arrival.
        public var started: ContinuousClock.Instant
        /// How long arrivals were scheduled for.
        public var planned: Duration = .zero

        public func health(cores: Int = availableCores()) -> EngineHealth {
            EngineHealth(
                scheduled: scheduled,
                dropped: dropped,
                dispatch: dispatchDelay,
                cpuSeconds: cpuSeconds,
                wallSeconds: elapsed.seconds,
                cores: cores
            )
        }
    }

    private final class Shared: Sendable {
        let inFlight = Atomic<Int>(0)
        let dispatch = Mutex(LatencyHistogram())
    }

    /// Runs `operation(index, scheduledStart)` for every arrival within `duration`, then waits for all to finish.
    public func run(
        stop: @escaping @Sendable () -> Bool = { false },
        operation: @escaping @Sendable (_ index: Int, _ scheduled: ContinuousClock.Instant) async -> Void
    ) async -> Outcome {
        let clock = ContinuousClock()
        let shared = Shared()
        let cpuStart = processCPUSeconds()
        let start = clock.now.advanced(by: .milliseconds(5))
        let limitNanos = UInt64(duration.microseconds) * 1000
        var scheduledCount = 0
        var dropped = 0
        let maxInFlight = self.maxInFlight
        await withDiscardingTaskGroup { group in
            for offset in schedule {
                guard offset < limitNanos, !Task.isCancelled, !stop() else { break }
                let due = start.advanced(by: .nanoseconds(Int64(offset)))
                if due > clock.now {
                    do {
                        try await clock.sleep(until: due, tolerance: .microseconds(100))
                    } catch {
                        break
                    }
                }
                let index = scheduledCount
                scheduledCount += 1
                if shared.inFlight.load(ordering: .relaxed) >= maxInFlight {
                    dropped += 1
                    continue
                }
                shared.inFlight.add(1, ordering: .relaxed)
                group.addTask {
                    let started = clock.now
                    shared.dispatch.withLock { $0.record(started - due) }
                    await operation(index, due)
                    shared.inFlight.subtract(1, ordering: .relaxed)
                }
            }
        }
        return Outcome(
            scheduled: scheduledCount,
            dropped: dropped,
            dispatchDelay: shared.dispatch.withLock { $0 },
            elapsed: clock.now - start,
            cpuSeconds: processCPUSeconds() - cpuStart,
            started: start,
            planned: duration
        )
    }
}
