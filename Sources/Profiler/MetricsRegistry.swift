import Prometheus

/// The process's metric registry: a thin layer over swift-prometheus that always attaches HELP
/// text and uses full, contract-given names (`db_query_duration_seconds`, `queue_jobs_total`).
///
/// Asking twice for the same name and labels returns the same collector, so callers may look
/// metrics up on the hot path or cache them, whichever reads better.
public final class MetricsRegistry: Sendable {
    public let prometheus: PrometheusCollectorRegistry

    public init() {
        self.prometheus = PrometheusCollectorRegistry()
    }

    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        prometheus.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        prometheus.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// A duration histogram in seconds with `buckets` (default: `LatencyBuckets.standard`).
    public func histogram(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        buckets: [Duration] = LatencyBuckets.standard
    ) -> DurationHistogram {
        prometheus.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets)
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        prometheus.emitToString()
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// Histogram buckets for this system's latencies, from sub-millisecond Redis commands and
/// indexed queries up to multi-second provider calls and stalled pools.
public enum LatencyBuckets {
    public static let standard: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
}
