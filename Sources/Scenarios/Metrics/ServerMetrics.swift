/// The server-side view of one cell: what the watched metrics did between the scrapes before
/// and after measurement, plus the highest value gauges reached while sampling during it.
public struct ServerMetrics: Codable, Sendable, Equatable {
    /// Histograms: per series (`name{labels}` without `le`), count, mean and estimated p99 over the run.
    public struct HistogramDelta: Codable, Sendable, Equatable {
        public var count: Double
        public var meanMs: Double
        /// Estimated (interpolated inside the bucket, as `histogram_quantile` does).
        public var p99Ms: Double?
        /// The lower bound of the bucket the p99 falls in: the true p99 is at least this.
        public var p99LowMs: Double? = nil
    }

    /// Gauges: value before, after, and the highest seen while sampling.
    public struct GaugeSpan: Codable, Sendable, Equatable {
        public var before: Double
        public var after: Double
        public var max: Double
    }

    public var histograms: [String: HistogramDelta] = [:]
    public var gauges: [String: GaugeSpan] = [:]
    public var counters: [String: Double] = [:]
    /// Request duration per route, every status merged (`http_server_request_duration_seconds{method,route}`).
    public var routes: [String: HistogramDelta] = [:]
    /// Set when a scrape failed (the cell still counts; these numbers are then partial).
    public var scrapeError: String?

    public init() {}

    /// Histogram families whose deltas we keep.
    public static let histogramFamilies = [
        "db_pool_acquire_duration_seconds", "http_server_request_duration_seconds", "queue_job_wait_seconds",
        "side_effect_duration_seconds", "ws_delivery_lag_seconds", "exchange_transition_duration_seconds",
    ]
    /// Gauge families whose span we keep.
    public static let gaugeFamilies = [
        "db_pool_pending_requests", "db_pool_connections", "queue_depth", "db_replica_lag_seconds",
        "process_heap_allocated_bytes", "process_heap_resident_bytes", "outbox_pending", "ws_connections",
    ]
    /// Counter families whose increase we keep.
    public static let counterFamilies = [
        "queue_jobs_total", "ratelimit_decisions_total", "exchange_transitions_total", "db_pool_acquire_timeouts_total",
    ]

    /// Mean pool acquire wait over all pools, ms (nil if the server exposes none).
    public var poolAcquireMeanMs: Double? {
        let deltas = histograms.filter { $0.key.hasPrefix("db_pool_acquire_duration_seconds") }.values
        let count = deltas.reduce(0) { $0 + $1.count }
        guard count > 0 else { return nil }
        return deltas.reduce(0) { $0 + $1.meanMs * $1.count } / count
    }

    /// Highest value any matching series reached (series containing `excluding` skipped).
    public func gaugeMax(prefix: String, excluding: String? = nil) -> Double? {
        let values = gauges.filter { key, _ in
            key.hasPrefix(prefix) && !(excluding.map { key.contains($0) } ?? false)
        }.map(\.value.max)
        return values.max()
    }

    /// Sum over matching gauges of (after − before): e.g. jobs dead-lettered during the run.
    public func gaugeGrowth(prefix: String, containing: String) -> Double {
        gauges.filter { $0.key.hasPrefix(prefix) && $0.key.contains(containing) }.map { $0.value.after - $0.value.before }.reduce(0, +)
    }

    /// Builds the deltas from scrapes taken before, during (for gauge maxima), and after a run.
    public static func between(before: PrometheusScrape, after: PrometheusScrape, during: [PrometheusScrape]) -> ServerMetrics {
        var result = ServerMetrics()
        for family in histogramFamilies {
            for (series, delta) in histogramDeltas(family: family, before: before, after: after) {
                result.histograms[series] = delta
            }
        }
        result.routes = histogramDeltas(family: "http_server_request_duration_seconds", before: before, after: after, merging: ["status"])
        for family in gaugeFamilies {
            // A gauge the server can't know (NaN: replica lag while the replica is down) is left out.
            for sample in after.samples(named: family) where sample.value.isFinite {
                let key = sample.key
                let beforeValue = before.samples(named: family).first { $0.key == key && $0.value.isFinite }?.value ?? sample.value
                let peak =
                    during.flatMap { $0.samples(named: family) }.filter { $0.key == key && $0.value.isFinite }.map(\.value).max() ?? sample.value
                result.gauges[key] = GaugeSpan(before: beforeValue, after: sample.value, max: Swift.max(peak, sample.value, beforeValue))
            }
        }
        for family in counterFamilies {
            for sample in after.samples(named: family) {
                let beforeValue = before.samples(named: family).first { $0.key == sample.key }?.value ?? 0
                let delta = sample.value - beforeValue
                if delta != 0 { result.counters[sample.key] = delta }
            }
        }
        return result
    }

    /// Deltas per series; labels in `merging` are dropped first, so their series add up (e.g.
    /// every `status` of one route) and the p99 is read from the summed buckets.
    static func histogramDeltas(
        family: String,
        before: PrometheusScrape,
        after: PrometheusScrape,
        merging: Set<String> = []
    ) -> [String: HistogramDelta] {
        func seriesKey(_ sample: PrometheusSample) -> String {
            var labels = sample.labels
            labels.removeValue(forKey: "le")
            for label in merging { labels.removeValue(forKey: label) }
            return PrometheusSample(name: family, labels: labels, value: 0).key
        }
        func diff(_ suffix: String) -> [String: Double] {
            var values: [String: Double] = [:]
            for sample in after.samples(named: family + suffix) { values[seriesKey(sample), default: 0] += sample.value }
            for sample in before.samples(named: family + suffix) { values[seriesKey(sample), default: 0] -= sample.value }
            return values
        }
        let counts = diff("_count")
        let sums = diff("_sum")
        var bucketSums: [String: [Double: Double]] = [:]
        let beforeBuckets = Dictionary(
            before.samples(named: family + "_bucket").map { ($0.key, $0.value) },
            uniquingKeysWith: { first, _ in first }
        )
        for sample in after.samples(named: family + "_bucket") {
            guard let le = sample.labels["le"].flatMap(PrometheusScrape.parseValue) else { continue }
            bucketSums[seriesKey(sample), default: [:]][le, default: 0] += sample.value - (beforeBuckets[sample.key] ?? 0)
        }
        let buckets = bucketSums.mapValues { $0.map { (le: $0.key, count: $0.value) } }
        var result: [String: HistogramDelta] = [:]
        for (series, count) in counts where count > 0 {
            let mean = (sums[series] ?? 0) / count * 1000
            let seriesBuckets = buckets[series] ?? []
            result[series] = HistogramDelta(
                count: count,
                meanMs: mean,
                p99Ms: quantile(0.99, buckets: seriesBuckets).map { $0 * 1000 },
                p99LowMs: bucketLowerBound(0.99, buckets: seriesBuckets).map { $0 * 1000 }
            )
        }
        return result
    }

    /// The lower bound of the bucket holding quantile `q`.
    public static func bucketLowerBound(_ q: Double, buckets: [(le: Double, count: Double)]) -> Double? {
        locate(q, in: buckets).map { $0.lowerBound }
    }

    /// `histogram_quantile` over cumulative buckets (linear interpolation inside a bucket).
    public static func quantile(_ q: Double, buckets: [(le: Double, count: Double)]) -> Double? {
        guard let found = locate(q, in: buckets) else { return nil }
        guard let bucket = found.bucket else { return found.lowerBound }
        if bucket.le.isInfinite { return found.lowerBound }
        let inBucket = bucket.count - found.lowerCount
        guard inBucket > 0 else { return bucket.le }
        return found.lowerBound + (bucket.le - found.lowerBound) * (found.rank - found.lowerCount) / inBucket
    }

    /// The first cumulative bucket whose count reaches rank `q × total` (nil when the rank is
    /// past every bucket), with the bound and count of the bucket below it.
    private static func locate(
        _ q: Double,
        in buckets: [(le: Double, count: Double)]
    ) -> (bucket: (le: Double, count: Double)?, lowerBound: Double, lowerCount: Double, rank: Double)? {
        let sorted = buckets.sorted { $0.le < $1.le }
        guard let total = sorted.last?.count, total > 0 else { return nil }
        let rank = q * total
        var lowerBound = 0.0
        var lowerCount = 0.0
        for bucket in sorted {
            if bucket.count >= rank { return (bucket, lowerBound, lowerCount, rank) }
            lowerBound = bucket.le
            lowerCount = bucket.count
        }
        return (nil, lowerBound, lowerCount, rank)
    }
}
