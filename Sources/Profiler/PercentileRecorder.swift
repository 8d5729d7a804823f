import Histogram
import Synchronization

/// Exact percentiles (HdrHistogram, microsecond resolution, 3 significant digits) for reports.
///
/// Prometheus buckets answer "how many under 25 ms"; reports need "what is p99.9", which only a
/// high-resolution histogram answers. Kept apart from Prometheus code: both modules export a
/// type named `Histogram`.
public final class PercentileRecorder: Sendable {
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))

    public init() {}

    public func record(_ duration: Duration) {
        let micros = max(0, duration.microseconds)
        histogram.withLock { _ = $0.record(UInt64(micros)) }
    }

    public func snapshot() -> PercentileSnapshot {
        histogram.withLock { h in
            PercentileSnapshot(
                count: Int(h.totalCount),
                p50: .microseconds(Int64(h.valueAtPercentile(50))),
                p90: .microseconds(Int64(h.valueAtPercentile(90))),
                p99: .microseconds(Int64(h.valueAtPercentile(99))),
                p999: .microseconds(Int64(h.valueAtPercentile(99.9))),
                max: .microseconds(Int64(h.max))
            )
        }
    }

    public func reset() {
        histogram.withLock { $0.reset() }
    }
}

public struct PercentileSnapshot: Sendable, Equatable {
    public var count: Int
    public var p50: Duration
    public var p90: Duration
    public var p99: Duration
    public var p999: Duration
    public var max: Duration
}

extension Duration {
    /// Whole microseconds, truncated.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Seconds as a floating-point number, for metrics and JSON.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
