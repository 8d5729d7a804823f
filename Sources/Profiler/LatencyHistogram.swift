import Prometheus

/// One latency measurement feeding both worlds: Prometheus buckets for scraping and an
/// HdrHistogram for exact percentiles in reports and benchmarks.
public final class LatencyHistogram: Sendable {
    public let buckets: DurationHistogram
    public let percentiles: PercentileRecorder

    public init(registry: MetricsRegistry, name: String, help: String, labels: [(String, String)] = []) {
        self.buckets = registry.histogram(name, help: help, labels: labels)
        self.percentiles = PercentileRecorder()
    }

    public func record(_ duration: Duration) {
        buckets.record(duration)
        percentiles.record(duration)
    }
}
