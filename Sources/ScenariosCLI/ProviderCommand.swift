import ArgumentParser
import ProviderSimulator

/// `scenarios provider`: runs the provider simulator until SIGINT/SIGTERM.
struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider",
        abstract: "Provider simulator (SMS, email, webhook, events).",
        discussion: """
            Routes: POST /sms, /email, /webhook, /events {to, body, idempotencyKey, requestId?} → 200 {id, duplicate} \
            after the latency, or 503 at the error rate; GET /messages?kind=&to=&requestId=&idempotencyKey=&limit=; \
            DELETE /messages; GET /stats; GET|PUT /config {latencyMs, distribution, errorRate, sigma}; GET /health. \
            LOG_LEVEL sets the log level (default info).
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8090

    @Option(help: "Median answer latency in milliseconds.")
    var latencyMs = 300

    @Option(help: "Latency distribution: fixed or lognormal.")
    var distribution = LatencyDistribution.fixed.rawValue

    @Option(help: "Share of messages answered with 503, between 0 and 1.")
    var errorRate = 0.0

    @Option(help: "Spread of ln(latency) for the lognormal distribution.")
    var sigma = 0.5

    @Option(help: "Most messages remembered; the oldest are dropped first.")
    var maxMessages = 200_000

    @Option(help: "Seed for latency and failure draws (reproducible runs).")
    var seed: UInt64?

    /// The option that sets each `ProviderSimulator.Configuration` field, for error messages.
    private static let optionNames = [
        "host": "--host", "port": "--port", "latencyMs": "--latency-ms", "errorRate": "--error-rate",
        "sigma": "--sigma", "maxMessages": "--max-messages",
    ]

    func validate() throws {
        _ = try self.makeConfiguration()
    }

    func run() async throws {
        let simulator = try ProviderSimulator(configuration: try self.makeConfiguration())
        try await simulator.makeApplication().runService()
    }

    private func makeConfiguration() throws -> ProviderSimulator.Configuration {
        guard let distribution = LatencyDistribution(rawValue: self.distribution) else {
            let names = LatencyDistribution.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--distribution: must be one of \(names)")
        }
        let configuration = ProviderSimulator.Configuration(
            host: self.host,
            port: self.port,
            latencyMs: self.latencyMs,
            distribution: distribution,
            errorRate: self.errorRate,
            sigma: self.sigma,
            maxMessages: self.maxMessages,
            seed: self.seed
        )
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(Self.optionNames[error.field] ?? error.field): \(error.reason)")
        }
        return configuration
    }
}
