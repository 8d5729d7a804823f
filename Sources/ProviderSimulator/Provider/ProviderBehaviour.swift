/// What the simulator does with each message: how long it takes and how often it fails.
/// Changeable at run time through `PUT /config`.
public struct ProviderBehaviour: Sendable, Equatable, Codable {
    /// Median answer latency in milliseconds. Defaults to `300`.
    public var latencyMs: Int
    /// `fixed` or `lognormal`. Defaults to `fixed`.
    public var distribution: LatencyDistribution
    /// Probability in `[0, 1]` that a message is answered with 503. Defaults to `0`.
    public var errorRate: Double
    /// Spread of `ln(latency)` for `lognormal`. Defaults to `0.5`.
    public var sigma: Double

    /// Largest accepted `latencyMs`: one minute.
    public static let maximumLatencyMs = 60_000
    /// Largest accepted `sigma`; beyond it the tail is absurd.
    public static let maximumSigma = 3.0

    public init(latencyMs: Int = 300, distribution: LatencyDistribution = .fixed, errorRate: Double = 0, sigma: Double = 0.5) {
        self.latencyMs = latencyMs
        self.distribution = distribution
        self.errorRate = errorRate
        self.sigma = sigma
    }

    public var latencyModel: LatencyModel {
        LatencyModel(medianMs: self.latencyMs, distribution: self.distribution, sigma: self.sigma)
    }

    /// Field name → reason, for every field out of range; empty when valid.
    public func validationFailures() -> [String: String] {
        var failures: [String: String] = [:]
        if !(0...Self.maximumLatencyMs).contains(self.latencyMs) {
            failures["latencyMs"] = Reason.latencyMs
        }
        if !(self.errorRate.isFinite && (0...1).contains(self.errorRate)) {
            failures["errorRate"] = Reason.errorRate
        }
        if !(self.sigma.isFinite && (0...Self.maximumSigma).contains(self.sigma)) {
            failures["sigma"] = Reason.sigma
        }
        return failures
    }

    enum Reason {
        static let latencyMs = "must be an integer between 0 and \(ProviderBehaviour.maximumLatencyMs)"
        static let distribution = "must be one of \(LatencyDistribution.allCases.map(\.rawValue).joined(separator: ", "))"
        static let errorRate = "must be a number between 0 and 1"
        static let sigma = "must be a number between 0 and \(ProviderBehaviour.maximumSigma)"
        static let unknown = "unknown field"
    }
}
