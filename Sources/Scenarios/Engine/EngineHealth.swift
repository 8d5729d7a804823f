import Foundation
import Profiler

/// How well the load generator kept its own schedule; a run that fails these checks says so.
///
/// The engine judges itself relative to what it measures (docs/lab.md, "When the lab distrusts
/// itself"): it is not trustworthy when its dispatch delay p99 exceeds max(1 ms, 10 % of the
/// operation's p50), when its dispatch delay max exceeds 10 % of the operation's measured max,
/// when it dropped arrivals, when requests waited for a client connection before being written,
/// or when it used more than 85 % of the machine's CPU.
public struct EngineHealth: Codable, Sendable, Equatable {
    /// Operations the schedule asked for during measurement.
    public var scheduled: Int
    /// Operations not started because too many were in flight (they count as errors).
    public var dropped: Int
    /// Scheduled → actually started, milliseconds.
    public var dispatchDelayP50Ms: Double
    public var dispatchDelayP99Ms: Double
    public var dispatchDelayMaxMs: Double
    /// Process CPU time / wall time / cores, 0…1.
    public var cpuUtilisation: Double
    public var cores: Int
    /// Requests that waited inside the HTTP client for a free connection, and their wait p99.
    public var connectionQueued: Int = 0
    public var connectionWaitP99Ms: Double = 0
    /// The operation the judgement is relative to: its p50 and max (all outcomes), ms.
    public var operationP50Ms: Double?
    public var operationMaxMs: Double?
    public var trustworthy: Bool
    public var reasons: [String]
    /// The dispatch-delay p99 above which the run is not trustworthy: max(1 ms, 10 % of p50).
    public var dispatchLimitMs: Double = Self.minimumDispatchLimitMs

    /// What a run's latencies are worth, from the checks that failed.
    public enum Trust: Sendable, Equatable {
        /// Every check passed.
        case trustworthy
        /// Only the dispatch-delay checks failed: the generator started some operations late,
        /// but dropped none, queued none inside its HTTP client and had CPU to spare. Latency
        /// counts from each arrival's scheduled start, so a late start only adds to the latency
        /// measured: every percentile is an upper bound of the server's, at most the largest
        /// dispatch delay above it.
        case upperBounds
        /// Arrivals dropped or queued in the client (the server saw less load than offered), or
        /// a saturated generator (it may not have offered the load at all): no bound holds.
        case untrustworthy
    }

    public var trust: Trust {
        if trustworthy { return .trustworthy }
        return dropped == 0 && connectionQueued == 0 && cpuUtilisation <= Self.cpuLimit ? .upperBounds : .untrustworthy
    }

    public static let minimumDispatchLimitMs = 1.0
    public static let cpuLimit = 0.85

    public init(scheduled: Int, dropped: Int, dispatch: LatencyHistogram, cpuSeconds: Double, wallSeconds: Double, cores: Int) {
        self.scheduled = scheduled
        self.dropped = dropped
        self.dispatchDelayP50Ms = dispatch.percentileMillis(50)
        self.dispatchDelayP99Ms = dispatch.percentileMillis(99)
        self.dispatchDelayMaxMs = dispatch.maxMillis
        self.cores = cores
        self.cpuUtilisation = wallSeconds > 0 ? cpuSeconds / wallSeconds / Double(max(cores, 1)) : 0
        self.reasons = []
        self.trustworthy = true
        judge()
    }

    /// Sets `reasons` and `trustworthy` from the measurements.
    mutating func judge() {
        var reasons: [String] = []
        dispatchLimitMs = max(Self.minimumDispatchLimitMs, 0.1 * (operationP50Ms ?? 0))
        if dispatchDelayP99Ms > dispatchLimitMs {
            let (p99Text, limitText) = formatMillisApart(dispatchDelayP99Ms, dispatchLimitMs)
            reasons.append(
                "load generator fell behind its schedule: dispatch delay p99 \(p99Text) > \(limitText) (max of 1 ms and 10% of the operation's p50)"
            )
        }
        if let maxMs = operationMaxMs, maxMs > 0, dispatchDelayMaxMs > 0.1 * maxMs {
            reasons.append(
                "load generator stalled: dispatch delay max \(formatMillis(dispatchDelayMaxMs)) > 10% of the measured max \(formatMillis(maxMs))"
            )
        }
        if dropped > 0 {
            reasons.append("load generator dropped \(dropped) of \(scheduled) scheduled operations (too many in flight)")
        }
        if connectionQueued > 0 {
            reasons.append(
                "\(connectionQueued) requests waited for a client connection before being written (wait p99 \(formatMillis(connectionWaitP99Ms)))"
            )
        }
        if cpuUtilisation > Self.cpuLimit {
            reasons.append("load generator saturated the CPU: \(Int((cpuUtilisation * 100).rounded()))% of \(cores) cores")
        }
        self.reasons = reasons
        self.trustworthy = reasons.isEmpty
    }

    /// The same measurements judged relative to an operation's p50 and max (ms) and with the
    /// client's connection waits.
    public func judged(
        operationP50Ms: Double?,
        operationMaxMs: Double?,
        connectionQueued: Int? = nil,
        connectionWaitP99Ms: Double? = nil
    ) -> EngineHealth {
        var result = self
        result.operationP50Ms = operationP50Ms
        result.operationMaxMs = operationMaxMs
        if let connectionQueued { result.connectionQueued = connectionQueued }
        if let connectionWaitP99Ms { result.connectionWaitP99Ms = connectionWaitP99Ms }
        result.judge()
        return result
    }

    /// Combines the health of several load loops that ran at the same time.
    public func merged(with other: EngineHealth) -> EngineHealth {
        var result = self
        result.scheduled += other.scheduled
        result.dropped += other.dropped
        result.dispatchDelayP50Ms = max(dispatchDelayP50Ms, other.dispatchDelayP50Ms)
        result.dispatchDelayP99Ms = max(dispatchDelayP99Ms, other.dispatchDelayP99Ms)
        result.dispatchDelayMaxMs = max(dispatchDelayMaxMs, other.dispatchDelayMaxMs)
        result.cpuUtilisation = max(cpuUtilisation, other.cpuUtilisation)
        result.connectionQueued += other.connectionQueued
        result.connectionWaitP99Ms = max(connectionWaitP99Ms, other.connectionWaitP99Ms)
        result.judge()
        return result
    }
}

/// Two durations formatted as ``formatMillis(_:)`` does, with three decimals (in ms) when that
/// would print them alike: "1.04 ms > 1.0 ms" must not read "1.0 ms > 1.0 ms".
func formatMillisApart(_ a: Double, _ b: Double) -> (String, String) {
    let (plainA, plainB) = (formatMillis(a), formatMillis(b))
    guard plainA == plainB, a != b else { return (plainA, plainB) }
    return (String(format: "%.3f ms", a), String(format: "%.3f ms", b))
}

/// "12.3 ms", "1.20 s", "850 µs".
public func formatMillis(_ ms: Double) -> String {
    if ms >= 1000 { return String(format: "%.2f s", ms / 1000) }
    if ms >= 10 { return String(format: "%.0f ms", ms) }
    if ms >= 1 { return String(format: "%.1f ms", ms) }
    return String(format: "%.0f µs", ms * 1000)
}
