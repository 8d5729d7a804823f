import Profiler
import Synchronization

/// Thread-safe per-operation latency histograms, error counts by code, and named counters.
///
/// Latencies of successful operations go into the operation's histogram; failures are counted
/// by `error.code` (the contract's envelope), `http_<status>`, or `transport_<kind>`. Every
/// outcome — success, error or timeout, with the time it took — also goes into the operation's
/// all-outcomes histogram, so failures stay in the latency data.
///
/// Besides the whole run, a recorder keeps an open *window* (one measured step, see
/// ``MeasurementCoordinator``) and the current one-second *interval* (for `.hlog` time series).
public final class Recorder: Sendable {
    struct Tally: Sendable {
        var histograms: [String: LatencyHistogram] = [:]
        var allOutcomes: [String: LatencyHistogram] = [:]
        var errors: [String: [String: Int]] = [:]
        var counters: [String: Int] = [:]
        var lastRecorded: [String: ContinuousClock.Instant] = [:]

        mutating func success(_ operation: String, _ micros: UInt64, at now: ContinuousClock.Instant) {
            histograms[operation, default: LatencyHistogram()].record(micros: micros)
            allOutcomes[operation, default: LatencyHistogram()].record(micros: micros)
            lastRecorded[operation] = now
        }

        mutating func failure(_ operation: String, code: String, micros: UInt64?) {
            errors[operation, default: [:]][code, default: 0] += 1
            if let micros { allOutcomes[operation, default: LatencyHistogram()].record(micros: micros) }
        }

        var snapshot: RecorderSnapshot {
            RecorderSnapshot(histograms: histograms, errors: errors, counters: counters, lastRecorded: lastRecorded, allOutcomes: allOutcomes)
        }
    }

    private struct State {
        var total = Tally()
        var window: Tally?
        /// The current one-second interval: all outcomes only.
        var interval: [String: LatencyHistogram] = [:]
        /// Every outcome with its instant, once ``keepTimeline()`` was called (runs with faults).
        var timeline: [TimedOutcome]?
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ operation: String, _ latency: Duration) {
        record(operation, micros: UInt64(max(0, latency.microseconds)))
    }

    public func record(_ operation: String, micros: UInt64) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.total.success(operation, micros, at: now)
            state.window?.success(operation, micros, at: now)
            state.interval[operation, default: LatencyHistogram()].record(micros: micros)
            state.timeline?.append(TimedOutcome(completed: now, operation: operation, code: nil, micros: micros))
        }
    }

    /// A failed attempt; `latency` (scheduled or started → answer, timeout included) puts it in
    /// the all-outcomes histogram.
    public func recordError(_ operation: String, code: String, latency: Duration? = nil) {
        let micros = latency.map { UInt64(max(0, $0.microseconds)) }
        let now = ContinuousClock.now
        state.withLock { state in
            state.total.failure(operation, code: code, micros: micros)
            state.window?.failure(operation, code: code, micros: micros)
            if let micros { state.interval[operation, default: LatencyHistogram()].record(micros: micros) }
            state.timeline?.append(TimedOutcome(completed: now, operation: operation, code: code, micros: micros))
        }
    }

    /// From now on, keep every outcome with the instant it completed (see ``timeline``).
    public func keepTimeline() {
        state.withLock { state in
            if state.timeline == nil { state.timeline = [] }
        }
    }

    /// The outcomes kept since ``keepTimeline()``, in the order they were recorded.
    public var timeline: [TimedOutcome] {
        state.withLock { $0.timeline ?? [] }
    }

    public func increment(_ counter: String, by amount: Int = 1) {
        state.withLock { state in
            state.total.counters[counter, default: 0] += amount
            state.window?.counters[counter, default: 0] += amount
        }
    }

    public func counter(_ name: String) -> Int {
        state.withLock { $0.total.counters[name] ?? 0 }
    }

    /// Successful count, error count and p99 (ms) of one operation so far — for live progress.
    public func live(_ operation: String) -> (count: Int, errors: Int, p99Ms: Double) {
        state.withLock { state in
            let tally = state.window ?? state.total
            let histogram = tally.histograms[operation]
            let errors = tally.errors.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            return (Int(histogram?.count ?? 0), errors, histogram?.percentileMillis(99) ?? 0)
        }
    }

    public func snapshot() -> RecorderSnapshot {
        state.withLock { $0.total.snapshot }
    }

    /// Starts a measured window: from now on every record also goes into it.
    public func openWindow() {
        state.withLock { $0.window = Tally() }
    }

    /// Ends the window and returns what it recorded.
    public func closeWindow() -> RecorderSnapshot {
        state.withLock { state in
            let result = state.window?.snapshot ?? RecorderSnapshot()
            state.window = nil
            return result
        }
    }

    /// Returns the current interval's all-outcomes histograms and starts a new interval.
    public func rotateInterval() -> [String: LatencyHistogram] {
        state.withLock { state in
            let result = state.interval
            state.interval = [:]
            return result
        }
    }
}

/// A copy of a recorder's contents at one instant.
public struct RecorderSnapshot: Sendable {
    /// Successes only.
    public var histograms: [String: LatencyHistogram]
    public var errors: [String: [String: Int]]
    public var counters: [String: Int]
    /// When each operation last succeeded.
    public var lastRecorded: [String: ContinuousClock.Instant]
    /// Every outcome with a latency (successes, errors, timeouts).
    public var allOutcomes: [String: LatencyHistogram]

    public init(
        histograms: [String: LatencyHistogram] = [:],
        errors: [String: [String: Int]] = [:],
        counters: [String: Int] = [:],
        lastRecorded: [String: ContinuousClock.Instant] = [:],
        allOutcomes: [String: LatencyHistogram] = [:]
    ) {
        self.histograms = histograms
        self.errors = errors
        self.counters = counters
        self.lastRecorded = lastRecorded
        self.allOutcomes = allOutcomes
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

    /// Successes-only summaries.
    public func stats() -> [String: OperationStats] {
        var result: [String: OperationStats] = [:]
        for operation in operations {
            let histogram = histograms[operation] ?? LatencyHistogram()
            result[operation] = histogram.summary(errors: errorCount(operation))
        }
        return result
    }

    /// All-outcomes summaries (errors and timeouts with the time they took).
    public func allOutcomeStats() -> [String: OperationStats] {
        var result: [String: OperationStats] = [:]
        for operation in operations {
            let histogram = allOutcomes[operation] ?? histograms[operation] ?? LatencyHistogram()
            result[operation] = histogram.summary(errors: errorCount(operation))
        }
        return result
    }
}
