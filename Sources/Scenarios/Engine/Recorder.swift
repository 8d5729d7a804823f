import Synchronization

/// Thread-safe per-operation latency histograms, error counts by code, and named counters.
///
/// Latencies of successful operations go into the operation's histogram; failures are counted
/// by `error.code` (the contract's envelope), `http_<status>`, or `transport_<kind>`.
public final class Recorder: Sendable {
    private struct State {
        var histograms: [String: LatencyHistogram] = [:]
        var errors: [String: [String: Int]] = [:]
        var counters: [String: Int] = [:]
        var lastRecorded: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ operation: String, _ latency: Duration) {
        record(operation, micros: latency.wholeMicroseconds)
    }

    public func record(_ operation: String, micros: UInt64) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.histograms[operation, default: LatencyHistogram()].record(micros: micros)
            state.lastRecorded[operation] = now
        }
    }

    public func recordError(_ operation: String, code: String) {
        state.withLock { state in
            state.errors[operation, default: [:]][code, default: 0] += 1
        }
    }

    public func increment(_ counter: String, by amount: Int = 1) {
        state.withLock { state in
            state.counters[counter, default: 0] += amount
        }
    }

    public func counter(_ name: String) -> Int {
        state.withLock { $0.counters[name] ?? 0 }
    }

    /// Successful count, error count and p99 (ms) of one operation so far — for live progress.
    public func live(_ operation: String) -> (count: Int, errors: Int, p99Ms: Double) {
        state.withLock { state in
            let histogram = state.histograms[operation]
            let errors = state.errors.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            return (Int(histogram?.count ?? 0), errors, histogram?.percentileMillis(99) ?? 0)
        }
    }

    public func snapshot() -> RecorderSnapshot {
        state.withLock { state in
            RecorderSnapshot(histograms: state.histograms, errors: state.errors, counters: state.counters, lastRecorded: state.lastRecorded)
        }
    }
}

/// A copy of a recorder's contents at one instant.
public struct RecorderSnapshot: Sendable {
    public var histograms: [String: LatencyHistogram]
    public var errors: [String: [String: Int]]
    public var counters: [String: Int]
    /// When each operation last succeeded.
    public var lastRecorded: [String: ContinuousClock.Instant]

    public init(
        histograms: [String: LatencyHistogram] = [:], errors: [String: [String: Int]] = [:], counters: [String: Int] = [:],
        lastRecorded: [String: ContinuousClock.Instant] = [:]
    ) {
        self.histograms = histograms
        self.errors = errors
        self.counters = counters
        self.lastRecorded = lastRecorded
    }

    /// Every operation that succeeded or failed at least once.
    public var operations: [String] {
        Set(histograms.keys).union(errors.keys).sorted()
    }

    public func errorCount(_ operation: String) -> Int {
        errors[operation]?.values.reduce(0, +) ?? 0
    }

    public var totalErrors: Int {
        errors.values.reduce(0) { $0 + $1.values.reduce(0, +) }
    }

    /// Errors summed over operations, keyed by code.
    public var errorsByCode: [String: Int] {
        var result: [String: Int] = [:]
        for byCode in errors.values {
            for (code, count) in byCode { result[code, default: 0] += count }
        }
        return result
    }

    public func stats() -> [String: OperationStats] {
        var result: [String: OperationStats] = [:]
        for operation in operations {
            let histogram = histograms[operation] ?? LatencyHistogram()
            result[operation] = histogram.summary(errors: errorCount(operation))
        }
        return result
    }
}
