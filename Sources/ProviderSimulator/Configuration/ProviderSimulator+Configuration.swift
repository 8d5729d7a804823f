extension ProviderSimulator {
    /// Start-up settings. Latency and error rate can change later through `PUT /config`.
    public struct Configuration: Sendable, Equatable {
        /// Address to bind. Defaults to `127.0.0.1` (loopback only).
        public var host: String
        /// Port to bind; `0` picks a free one (see `makeApplication(onServerRunning:)`). Defaults to `8090`.
        public var port: Int
        /// Median answer latency in milliseconds. Defaults to `300`.
        public var latencyMs: Int
        /// Defaults to `fixed`.
        public var distribution: LatencyDistribution
        /// Share of messages answered with 503, in `[0, 1]`. Defaults to `0`.
        public var errorRate: Double
        /// Spread of `ln(latency)` for `lognormal`. Defaults to `0.5`.
        public var sigma: Double
        /// Most messages (and idempotency keys) remembered; the oldest are dropped first. Defaults to `200_000`.
        public var maxMessages: Int
        /// Largest accepted request body. Defaults to 1 MiB.
        public var maxBodyBytes: Int
        /// Seed for latency and failure draws, for reproducible runs; `nil` uses the system generator.
        public var seed: UInt64?

        public init(
            host: String = "127.0.0.1",
            port: Int = 8090,
            latencyMs: Int = 300,
            distribution: LatencyDistribution = .fixed,
            errorRate: Double = 0,
            sigma: Double = 0.5,
            maxMessages: Int = 200_000,
            maxBodyBytes: Int = 1 << 20,
            seed: UInt64? = nil
        ) {
            self.host = host
            self.port = port
            self.latencyMs = latencyMs
            self.distribution = distribution
            self.errorRate = errorRate
            self.sigma = sigma
            self.maxMessages = maxMessages
            self.maxBodyBytes = maxBodyBytes
            self.seed = seed
        }

        /// The run-time part of the configuration.
        public var behaviour: ProviderBehaviour {
            ProviderBehaviour(latencyMs: self.latencyMs, distribution: self.distribution, errorRate: self.errorRate, sigma: self.sigma)
        }

        /// Throws for the first wrong field (in declaration order), naming it.
        public func validate() throws(ConfigurationError) {
            if self.host.isEmpty { throw ConfigurationError(field: "host", reason: "must not be empty") }
            if !(0...65535).contains(self.port) { throw ConfigurationError(field: "port", reason: "must be between 0 and 65535") }
            let failures = self.behaviour.validationFailures()
            for field in ["latencyMs", "errorRate", "sigma"] {
                if let reason = failures[field] { throw ConfigurationError(field: field, reason: reason) }
            }
            if self.maxMessages < 1 { throw ConfigurationError(field: "maxMessages", reason: "must be at least 1") }
            if self.maxBodyBytes < 1 { throw ConfigurationError(field: "maxBodyBytes", reason: "must be at least 1") }
        }
    }

    /// A start-up setting that is out of range.
    public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: String

        public init(field: String, reason: String) {
            self.field = field
            self.reason = reason
        }

        public var description: String { "\(self.field): \(self.reason)" }
    }
}
