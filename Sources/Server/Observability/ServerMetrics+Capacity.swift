import Prometheus

/// Stats at scale (docs/performance.md).
extension ServerMetrics {
    func statsRowsRead(_ part: String) -> Counter { registry.counter(.statsRowsRead, [part]) }
}
