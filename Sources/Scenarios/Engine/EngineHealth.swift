/// How well the load generator kept its own schedule; a run that fails these checks says so.
public struct EngineHealth: Codable, Sendable, Equatable {
    /// Operations the schedule asked for during measurement.
    public var scheduled: Int
    /// Operations not started because too many were in flight.
    public var dropped: Int
    /// Scheduled → actually started, milliseconds.
    public var dispatchDelayP50Ms: Double
    public var dispatchDelayP99Ms: Double
    public var dispatchDelayMaxMs: Double
    /// Process CPU time / wall time / cores, 0…1.
    public var cpuUtilisation: Double
    public var cores: Int
    public var trustworthy: Bool
    public var reasons: [String]
    /// The dispatch-delay p99 above which the run is not trustworthy (`load.maxDispatchDelayMs`).
    public var dispatchLimitMs: Double = Self.dispatchP99LimitMs

    public static let dispatchP99LimitMs = 10.0
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
        if dispatchDelayP99Ms > dispatchLimitMs {
            reasons.append(
                "load generator fell behind its schedule: dispatch delay p99 \(formatMillis(dispatchDelayP99Ms)) > \(formatMillis(dispatchLimitMs))"
            )
        }
        if dropped > 0 {
            reasons.append("load generator dropped \(dropped) of \(scheduled) scheduled operations (too many in flight)")
        }
        if cpuUtilisation > Self.cpuLimit {
            reasons.append("load generator saturated the CPU: \(Int((cpuUtilisation * 100).rounded()))% of \(cores) cores")
        }
        self.reasons = reasons
        self.trustworthy = reasons.isEmpty
    }

    /// The same measurements judged against another dispatch-delay limit.
    public func judged(dispatchLimitMs limit: Double) -> EngineHealth {
        var result = self
        result.dispatchLimitMs = limit
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
        result.judge()
        return result
    }
}

/// "12.3 ms", "1.20 s", "850 µs".
public func formatMillis(_ ms: Double) -> String {
    if ms >= 1000 { return String(format: "%.2f s", ms / 1000) }
    if ms >= 10 { return String(format: "%.0f ms", ms) }
    if ms >= 1 { return String(format: "%.1f ms", ms) }
    return String(format: "%.0f µs", ms * 1000)
}

import Foundation
