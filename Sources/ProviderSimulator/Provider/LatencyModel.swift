import Foundation

/// How the simulated provider's answer latency is drawn.
public enum LatencyDistribution: String, Sendable, Codable, CaseIterable {
    /// Every answer takes exactly the configured latency.
    case fixed
    /// Log-normal with median = the configured latency and the configured `sigma`
    /// (the standard deviation of the latency's natural logarithm).
    case lognormal
}

/// Pure latency sampling: no clock, no sleeping, the random source is passed in.
public struct LatencyModel: Sendable, Equatable {
    /// Median latency in milliseconds (for `.fixed`, every sample).
    public var medianMs: Int
    public var distribution: LatencyDistribution
    /// Spread of `ln(latency)` for `.lognormal`; ignored by `.fixed`.
    public var sigma: Double

    /// Upper bound on one sample, so a far tail draw cannot hang a caller. Defaults to 120 seconds.
    public static let maximumMilliseconds: Double = 120_000

    public init(medianMs: Int, distribution: LatencyDistribution, sigma: Double) {
        self.medianMs = medianMs
        self.distribution = distribution
        self.sigma = sigma
    }

    /// One latency draw in milliseconds, in `0...maximumMilliseconds`.
    public func sampleMilliseconds(using generator: inout some RandomNumberGenerator) -> Double {
        let median = Double(max(0, self.medianMs))
        let value: Double
        switch self.distribution {
        case .fixed:
            value = median
        case .lognormal:
            value = median * exp(self.sigma * Self.standardNormal(using: &generator))
        }
        return min(value, Self.maximumMilliseconds)
    }

    /// One latency draw as a `Duration`.
    public func sample(using generator: inout some RandomNumberGenerator) -> Duration {
        .microseconds(Int64((self.sampleMilliseconds(using: &generator) * 1000).rounded()))
    }

    /// A standard normal draw (Box–Muller).
    static func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
        // 1 - [0, 1) is (0, 1]: log never sees zero.
        let u1 = 1 - Double.random(in: 0..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
