/// The series the capacity diagnosis reads, found by name and labels; nil when the server
/// doesn't expose them (older servers, other pools), so callers degrade gracefully.
extension ServerMetrics {
    /// The HTTP route (method, template) a client operation calls.
    public static func route(of operation: String) -> (method: String, route: String)? {
        switch operation {
        case "create_request": ("POST", "/api/requests")
        case "claim", "claim_contended", "claim_won", "claim_lost": ("POST", "/api/requests/:id/claim")
        case "start": ("POST", "/api/requests/:id/start")
        case "complete": ("POST", "/api/requests/:id/complete")
        case "stats": ("GET", "/api/stats")
        case "health": ("GET", "/health")
        default: nil
        }
    }

    /// Every series of `family` whose labels include all of `labels`.
    func histogramSeries(_ family: String, labels: [String: String]) -> [HistogramDelta] {
        histograms.filter { key, _ in
            key.hasPrefix(family + "{") || key == family
        }.filter { key, _ in
            labels.allSatisfy { key.contains("\($0.key)=\"\($0.value)\"") }
        }.map(\.value)
    }

    /// Server-side request duration of `operation`'s route, all statuses merged (p99 from the
    /// summed buckets).
    public func routeLatency(of operation: String) -> HistogramDelta? {
        guard let route = Self.route(of: operation) else { return nil }
        return routes["http_server_request_duration_seconds{method=\"\(route.method)\",route=\"\(route.route)\"}"]
    }

    /// Pool acquire wait of `pool` (`primary`, `replica`).
    public func poolAcquire(_ pool: String = "primary") -> HistogramDelta? {
        Self.combine(histogramSeries("db_pool_acquire_duration_seconds", labels: ["pool": pool]))
    }

    /// `db_pool_acquire_timeouts_total{pool}` during the window (nil when not exported).
    public func poolTimeouts(_ pool: String = "primary") -> Double? {
        let matches = counters.filter { $0.key.hasPrefix("db_pool_acquire_timeouts_total") && $0.key.contains("pool=\"\(pool)\"") }
        return matches.isEmpty ? nil : matches.values.reduce(0, +)
    }

    /// Provider calls (`side_effect_duration_seconds`), all kinds.
    public var sideEffects: HistogramDelta? {
        Self.combine(histogramSeries("side_effect_duration_seconds", labels: [:]))
    }

    /// Transition duration of `transition` (`claim`, …), every `outcome` label merged.
    public func transition(_ transition: String) -> HistogramDelta? {
        Self.combine(histogramSeries("exchange_transition_duration_seconds", labels: ["transition": transition]))
    }

    static func combine(_ series: [HistogramDelta]) -> HistogramDelta? {
        let count = series.reduce(0) { $0 + $1.count }
        guard count > 0 else { return nil }
        let mean = series.reduce(0) { $0 + $1.meanMs * $1.count } / count
        return HistogramDelta(
            count: count,
            meanMs: mean,
            p99Ms: series.compactMap(\.p99Ms).max(),
            p99LowMs: series.compactMap(\.p99LowMs).max()
        )
    }
}
