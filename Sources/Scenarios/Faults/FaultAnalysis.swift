import Profiler

/// Reads a fault's effect from the outcomes around it: recovery, errors and p99 in its impact
/// window versus outside every fault's window. Pure: outcomes and events in, results out.
public enum FaultAnalysis {
    /// Seconds after a fault's end that still count as its impact window (connections
    /// re-established, queued requests answered).
    public static let grace = 5.0

    public static func analyse(events: [FaultEvent], outcomes: [OutcomePoint]) -> [FaultResult] {
        let measured = outcomes.filter { !CellReport.derivedOperations.contains($0.operation) }
        let windows = events.map { (start: $0.started, end: $0.ended + grace) }
        var outside = LatencyHistogram()
        for outcome in measured where !windows.contains(where: { outcome.at >= $0.start && outcome.at <= $0.end }) {
            if let millis = outcome.millis { outside.record(micros: UInt64(max(0, millis * 1000))) }
        }
        return events.map { event in
            let next = events.map(\.started).filter { $0 > event.started }.min() ?? .infinity
            return analyse(event: event, outcomes: measured, outside: outside, until: next)
        }
    }

    /// - Parameter until: where the next fault starts (its errors are not this one's).
    static func analyse(event: FaultEvent, outcomes: [OutcomePoint], outside: LatencyHistogram, until: Double) -> FaultResult {
        let windowStart = event.started
        let windowEnd = event.ended + grace
        var errors: [String: Int] = [:]
        var byOperation: [String: [String: Int]] = [:]
        var during = LatencyHistogram()
        var attempts = 0
        for outcome in outcomes where outcome.at >= windowStart && outcome.at <= windowEnd {
            attempts += 1
            if let millis = outcome.millis { during.record(micros: UInt64(max(0, millis * 1000))) }
            if let code = outcome.code {
                errors[code, default: 0] += 1
                byOperation[outcome.operation, default: [:]][code, default: 0] += 1
            }
        }
        // Recovery: per operation, the first success sent after the end; overall, the last of those.
        var recovery: [String: Double] = [:]
        var attemptedAfter: Set<String> = []
        var lastError = 0.0
        for outcome in outcomes where outcome.sent >= event.ended && outcome.at < until {
            attemptedAfter.insert(outcome.operation)
            if outcome.succeeded {
                let seconds = max(0, outcome.at - event.ended)
                recovery[outcome.operation] = min(recovery[outcome.operation] ?? seconds, seconds)
            }
        }
        for outcome in outcomes where !outcome.succeeded && outcome.at > event.ended && outcome.at < until {
            lastError = max(lastError, outcome.at - event.ended)
        }
        let overall: Double? = attemptedAfter.allSatisfy { recovery[$0] != nil } ? recovery.values.max() : nil
        return FaultResult(
            fault: event.spec.description,
            event: event,
            recoverySeconds: overall,
            recoveryByOperation: recovery,
            lastErrorAfterEndSeconds: lastError,
            errors: errors,
            errorsByOperation: byOperation,
            attempts: attempts,
            p99DuringMs: during.count > 0 ? during.percentileMillis(99) : nil,
            p99OutsideMs: outside.count > 0 ? outside.percentileMillis(99) : nil,
            windowStart: windowStart,
            windowEnd: windowEnd
        )
    }
}
