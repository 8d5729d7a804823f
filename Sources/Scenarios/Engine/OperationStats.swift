/// Latency summary of one operation in one cell (milliseconds).
public struct OperationStats: Codable, Sendable, Equatable {
    public var count: Int
    public var errors: Int
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var maxMs: Double
    public var meanMs: Double

    public init(count: Int, errors: Int, p50Ms: Double, p90Ms: Double, p99Ms: Double, p999Ms: Double, maxMs: Double, meanMs: Double) {
        self.count = count
        self.errors = errors
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.p999Ms = p999Ms
        self.maxMs = maxMs
        self.meanMs = meanMs
    }

    /// A percentile among the recorded ones (50, 90, 99, 99.9, 100 = max); nil otherwise.
    public func value(atPercentile p: Double) -> Double? {
        switch p {
        case 50: p50Ms
        case 90: p90Ms
        case 99: p99Ms
        case 99.9: p999Ms
        case 100: maxMs
        default: nil
        }
    }
}
