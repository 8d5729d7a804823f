import ArgumentParser
import Foundation
import Server

/// `exchange-server worker`: queue workers (plus the delayed-job mover, the depth sampler, the
/// readiness monitor and an outbox dispatcher) without the API, serving only `/metrics` and
/// `/health` on `--metrics-port`, until SIGTERM or SIGINT; then in-flight jobs finish and are
/// acknowledged before the process exits.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run queue workers without the HTTP server.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Queues to consume, comma-separated (critical,standard,analytics). Default: all.")
    var queues: String?
    @Option(help: "Workers in this process (overrides workers.count; at least 1).")
    var count: Int?
    @Flag(help: "Don't run an outbox dispatcher in this process.")
    var noDispatcher = false
    @Option(help: "Port of this process's GET /metrics and /health (on http.host; 0 = any free port, printed at start-up).")
    var metricsPort = 9091

    func validate() throws {
        _ = try parsedQueues()
        if let count, count < 1 || count > 64 { throw ValidationError("--count must be in 1...64") }
        if !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be in 0...65535") }
    }

    func parsedQueues() throws -> [QueueName] {
        guard let queues else { return QueueName.allCases }
        var parsed: [QueueName] = []
        for name in queues.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let queue = QueueName(rawValue: name) else {
                throw ValidationError("--queues: unknown queue \(name) (critical, standard, analytics)")
            }
            if !parsed.contains(queue) { parsed.append(queue) }
        }
        guard !parsed.isEmpty else { throw ValidationError("--queues: name at least one queue") }
        return parsed
    }

    func run() async throws {
        let configuration = options.load()
        let logger = makeLogger(configuration, label: "exchange-worker")
        let infrastructure = try Infrastructure(configuration: configuration, logger: logger)
        let provider = ProviderClient(configuration: configuration.provider, sealer: CodeSealer(secret: configuration.auth.secret))
        warnAboutDevelopmentSecret(configuration, logger)
        var queueOptions = QueueSystem.Options(configuration: configuration)
        queueOptions.queues = try parsedQueues()
        if let count { queueOptions.workerCount = count }
        logger.notice(
            "exchange-worker starting",
            metadata: [
                "queues": "\(queueOptions.queues.map(\.rawValue).joined(separator: ","))",
                "workers": "\(max(1, queueOptions.workerCount))", "concurrency": "\(queueOptions.consumer.concurrency)",
            ]
        )
        let host = configuration.http.host
        let metrics = MetricsEndpoint.server(
            database: infrastructure.database,
            metrics: infrastructure.metrics,
            logger: logger,
            host: host,
            port: metricsPort
        ) { port in
            logger.notice("exchange-worker metrics listening", metadata: ["url": "http://\(host):\(port)/metrics"])
        }
        let readiness = Readiness(database: infrastructure.database, redis: infrastructure.redis, metrics: infrastructure.metrics)
        try await QueueSystem.runWorkerProcess(
            QueueSystem.Parts(infrastructure: infrastructure, provider: provider),
            options: queueOptions,
            dispatch: !noDispatcher,
            extraServices: [metrics, ReadinessMonitor(readiness: readiness)]
        ) {
            await provider.shutdown()
            await infrastructure.close()
        }
    }
}

/// `exchange-server jobs`: inspect and re-drive dead-lettered jobs.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and re-drive dead-lettered jobs.",
        subcommands: [Dead.self, Retry.self]
    )

    /// `exchange-server jobs dead [--queue q]`.
    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead-lettered jobs: id, queue, kind, attempts, last error.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this queue (critical, standard, analytics).") var queue: String?
        @Option(help: "At most this many per queue.") var limit = 1000
        @Flag(help: "Also print every attempt's error and the payload.") var verbose = false

        func validate() throws {
            if let queue, QueueName(rawValue: queue) == nil { throw ValidationError("--queue must be critical, standard or analytics") }
        }

        func run() async throws {
            let configuration = options.load()
            let infrastructure = try Infrastructure(configuration: configuration, logger: makeLogger(configuration))
            let letters = try await QueueSystem.deadLetters(infrastructure).list(queue: queue.flatMap(QueueName.init(rawValue:)), limit: limit)
            print(["ID", "QUEUE", "KIND", "ATTEMPTS", "FAILED AT", "JOB", "LAST ERROR"].joined(separator: "\t"))
            for letter in letters {
                let failedAt = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(letter.failedAtMs) / 1000))
                print(
                    [letter.id, letter.queue.rawValue, letter.kind, String(letter.attempts), failedAt, letter.jobId, letter.lastError]
                        .joined(separator: "\t")
                )
                if verbose {
                    for error in letter.errors { print("    error: \(error)") }
                    print("    payload: \(letter.payload)")
                }
            }
            FileHandle.standardError.write(Data("\(letters.count) dead-lettered job(s)\n".utf8))
            await infrastructure.close()
        }
    }

    /// `exchange-server jobs retry ID`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-drive one dead-lettered job onto its queue with attempts reset.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The dead letter's id (from `jobs dead`) or its job id.") var id: String
        @Option(help: "The queue, when the id matches on several.") var queue: String?

        func validate() throws {
            if let queue, QueueName(rawValue: queue) == nil { throw ValidationError("--queue must be critical, standard or analytics") }
        }

        func run() async throws {
            let configuration = options.load()
            let infrastructure = try Infrastructure(configuration: configuration, logger: makeLogger(configuration))
            let result = try await QueueSystem.deadLetters(infrastructure).redrive(id: id, queue: queue.flatMap(QueueName.init(rawValue:)))
            await infrastructure.close()
            switch result {
            case .redriven(let queue, let entryID):
                print("re-driven onto \(queue.rawValue) as \(entryID)")
            case .notFound:
                FileHandle.standardError.write(Data("no dead-lettered job \(id)\n".utf8))
                throw ExitCode(1)
            case .ambiguous(let queues):
                FileHandle.standardError.write(Data("\(id) matches on \(queues.map(\.rawValue).joined(separator: ", ")); pass --queue\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
