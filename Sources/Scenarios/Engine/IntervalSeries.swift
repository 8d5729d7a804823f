import Profiler

/// One-second slices of a cell's latencies (all outcomes), for `.hlog` interval logs and the
/// latency-over-time chart.
public struct IntervalSlice: Sendable {
    /// Seconds from the cell's start.
    public var start: Double
    public var end: Double
    public var histograms: [String: LatencyHistogram]
    /// The offered rate of the step running at the time (nil outside measured steps).
    public var offeredRate: Double?

    public init(start: Double, end: Double, histograms: [String: LatencyHistogram], offeredRate: Double? = nil) {
        self.start = start
        self.end = end
        self.histograms = histograms
        self.offeredRate = offeredRate
    }
}
