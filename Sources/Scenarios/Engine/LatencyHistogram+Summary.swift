import Profiler

extension LatencyHistogram {
    /// The operation's row of a report: count, errors and percentiles in milliseconds.
    public func summary(errors: Int) -> OperationStats {
        OperationStats(
            count: Int(count),
            errors: errors,
            p50Ms: percentileMillis(50),
            p90Ms: percentileMillis(90),
            p99Ms: percentileMillis(99),
            p999Ms: percentileMillis(99.9),
            maxMs: maxMillis,
            meanMs: meanMillis
        )
    }
}
