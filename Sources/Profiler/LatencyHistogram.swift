import Histogram

/// Microsecond latency histogram (HdrHistogram, 3 significant digits, 1 µs … 1 hour), clamped
/// at the top: exact percentiles for reports and benchmarks, where Prometheus buckets only say
/// "how many under 25 ms". Kept apart from Prometheus code: both modules export a type named
/// `Histogram`.
public struct LatencyHistogram: Sendable {
    public static let highestTrackableMicros: UInt64 = 3_600_000_000

    public private(set) var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableMicros,
            numberOfSignificantValueDigits: .three
        )
    }

    public mutating func record(micros: UInt64) {
        _ = histogram.record(Swift.max(1, Swift.min(micros, Self.highestTrackableMicros)))
    }

    /// Records `count` copies of a value.
    public mutating func record(micros: UInt64, count: UInt64) {
        _ = histogram.record(Swift.max(1, Swift.min(micros, Self.highestTrackableMicros)), count: count)
    }

    public mutating func record(_ duration: Duration) {
        record(micros: UInt64(Swift.max(0, duration.microseconds)))
    }

    public mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    public var count: UInt64 { histogram.totalCount }

    /// Value at a percentile (0…100) in milliseconds; 0 when empty.
    public func percentileMillis(_ percentile: Double) -> Double {
        guard count > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    public var maxMillis: Double { count > 0 ? Double(histogram.max) / 1000 : 0 }
    public var meanMillis: Double { count > 0 ? histogram.mean / 1000 : 0 }

    /// HdrHistogram's percentile-distribution text (the `.hgrm` format), values in milliseconds.
    public func percentileDistribution() -> String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000, percentileTicksPerHalfDistance: 5)
        return text
    }

    /// (percentile, milliseconds) points for distribution plots.
    public func distributionPoints(ticksPerHalfDistance: Int = 5) -> [(percentile: Double, millis: Double)] {
        guard count > 0 else { return [] }
        return histogram.percentiles(ticksPerHalfDistance: ticksPerHalfDistance).map {
            (percentile: $0.percentileLevelIteratedTo, millis: Double($0.value) / 1000)
        }
    }
}
