import WireJSON

/// A rejected behaviour change: field name → reason.
public struct BehaviourValidationError: Error, Equatable, Sendable {
    public var failures: [String: String]

    public init(failures: [String: String]) {
        self.failures = failures
    }
}

extension ProviderBehaviour {
    /// Applies a partial update (the body of `PUT /config`): fields left out keep their value.
    /// Every wrong type, out-of-range value or unknown field is reported, not only the first.
    public func applying(_ update: [String: JSON]) throws(BehaviourValidationError) -> ProviderBehaviour {
        var result = self
        var failures: [String: String] = [:]
        for (field, value) in update {
            switch field {
            case "latencyMs":
                if let latency = value.intValue { result.latencyMs = latency } else { failures[field] = Reason.latencyMs }
            case "distribution":
                if case .string(let name) = value, let distribution = LatencyDistribution(rawValue: name) {
                    result.distribution = distribution
                } else {
                    failures[field] = Reason.distribution
                }
            case "errorRate":
                if let rate = value.doubleValue { result.errorRate = rate } else { failures[field] = Reason.errorRate }
            case "sigma":
                if let sigma = value.doubleValue { result.sigma = sigma } else { failures[field] = Reason.sigma }
            default:
                failures[field] = Reason.unknown
            }
        }
        failures.merge(result.validationFailures()) { first, _ in first }
        guard failures.isEmpty else { throw BehaviourValidationError(failures: failures) }
        return result
    }
}
