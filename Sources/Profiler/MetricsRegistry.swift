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

/// Histogram bucket sets, in 1-2.5-5 steps per decade (budgets such as 0.25 s and 0.5 s are
/// bounds, so "share under the budget" is exact). Each metric picks the set that spans its range.
public enum LatencyBuckets {
    /// 100 µs to 10 s: HTTP requests, transitions, db queries, WebSocket delivery.
    public static let standard: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// 25 µs to 5 s: Redis commands and pool acquire waits (sub-millisecond when healthy; an
    /// acquire timeout, 2 s by default, still lands in a bucket).
    public static let fast: [Duration] = [
        .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// 1 ms to 30 s: provider calls (300 ms by default, long-tailed, bounded by the provider timeout).
    public static let provider: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// 1 ms to 600 s: queue waits and outbox dispatch delays, where a backlog of minutes must
    /// still be told apart from one of seconds.
    public static let backlog: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]
}
