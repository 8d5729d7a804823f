import Foundation
import Profiler

/// Runs every cell of a matrix: its own PostgreSQL database and Redis namespace
/// (``CellIsolation``), fresh provider and `exchange-server` per cell, warm-up, the measured
/// step(s), metric scrapes, then SIGTERM (SIGKILL after a timeout) and on to the next.
public struct MatrixRunner: Sendable {
    public var spec: MatrixSpec
    public var serverBinary: String
    /// A `scenarios` executable to run `scenarios provider` from.
    public var providerExecutable: String
    /// The report directory; cell configs and server logs go under `cells/`.
    public var directory: String
    public var progress: ProgressPrinter
    public var options: Options

    /// How cells are isolated and ordered.
    public struct Options: Sendable {
        /// Keep each cell's database and Redis keys after it (for inspection).
        public var keep: Bool
        /// Run cells in a random order drawn from this seed (nil: matrix order).
        public var shuffleSeed: UInt64?
        /// Give every cell its own database and Redis namespace (tests of the runner itself may not).
        public var isolate: Bool

        public init(keep: Bool = false, shuffleSeed: UInt64? = nil, isolate: Bool = true) {
            self.keep = keep
            self.shuffleSeed = shuffleSeed
            self.isolate = isolate
        }
    }

    public init(
        spec: MatrixSpec,
        serverBinary: String,
        providerExecutable: String,
        directory: String,
        progress: ProgressPrinter,
        options: Options = Options()
    ) {
        self.spec = spec
        self.serverBinary = serverBinary
        self.providerExecutable = providerExecutable
        self.directory = directory
        self.progress = progress
        self.options = options
    }

    /// A measured cell with the histograms behind its summary.
    public struct CellRun: Sendable {
        public var report: CellReport
        public var measurement: CellMeasurement
        public var histograms: [String: LatencyHistogram] { measurement.histograms }
    }

    public func run() async throws -> [CellRun] {
        guard let scenario = ScenarioRegistry.named(spec.scenario) else { throw ScenarioError("unknown scenario \(spec.scenario)") }
        let cells = options.shuffleSeed.map { spec.shuffledCells(seed: $0) } ?? spec.cells()
        let cellsDirectory = directory + "/cells"
        try FileManager.default.createDirectory(atPath: cellsDirectory, withIntermediateDirectories: true)
        progress.plan(cells: cells.count, secondsPerCell: spec.estimatedSecondsPerCell)
        let isolation = options.isolate ? CellIsolation(config: spec.config, keep: options.keep) : nil
        if let isolation {
            progress.status.begin("migrate template database", recorder: nil, operation: "", expected: .seconds(5))
            let templateDirectory = cellsDirectory + "/template"
            try FileManager.default.createDirectory(atPath: templateDirectory, withIntermediateDirectories: true)
            do {
                try await isolation.prepareTemplate { url, migrationURL in
                    var config = spec.config
                    config.set(path: "db.primary.url", to: .string(url))
                    config.set(path: "db.migrationUrl", to: .string(migrationURL))
                    let path = templateDirectory + "/config.json"
                    try writeJSON(config, to: path)
                    try await ServerInstance(binary: serverBinary, configPath: path, port: spec.ports.server, logDirectory: templateDirectory)
                        .migrate()
                }
            } catch {
                await isolation.finish()
                throw ScenarioError("could not prepare the template database: \(error)")
            }
        }
        var runs: [CellRun] = []
        var migrated = isolation != nil
        for (order, cell) in cells.enumerated() {
            progress.beginCell(order, label: cell.label + (spec.repeat > 1 ? " #\(cell.repeatIndex + 1)" : ""))
            var report = CellReport(
                id: cell.index,
                label: cell.label,
                axes: cell.axes,
                repeatIndex: cell.repeatIndex,
                config: cell.config,
                scenario: spec.scenario,
                load: spec.load,
                primaryOperation: scenario.primaryOperation
            )
            report.runOrder = order
            let cellDirectory = cellsDirectory + "/\(cell.index)"
            var measurement = CellMeasurement()
            var services: CellServices?
            do {
                try FileManager.default.createDirectory(atPath: cellDirectory, withIntermediateDirectories: true)
                var config = cell.config
                if let isolation {
                    progress.status.begin("create cell database", recorder: nil, operation: "", expected: .seconds(2))
                    config = try await isolation.isolate(cell: cell.index, config: config)
                    report.isolation = [
                        "database": isolation.databaseName(cell: cell.index), "redisKeyPrefix": isolation.keyPrefix(cell: cell.index),
                    ]
                }
                let owns = spec.owns(faults: cell.faults)
                if owns.redis || owns.replica {
                    progress.status.begin("start the cell's own Redis / replica", recorder: nil, operation: "", expected: .seconds(10))
                }
                let owned = try await CellServices.prepare(
                    owns: owns,
                    separateWorkers: spec.separateWorkers(faults: cell.faults),
                    config: &config,
                    directory: cellDirectory
                )
                services = owned
                if let redis = owned.redis { report.isolation?["redis"] = redis.url }
                if let replica = owned.replica { report.isolation?["replica"] = "127.0.0.1:\(replica.port)" }
                report.config = config
                let configPath = cellDirectory + "/config.json"
                try writeJSON(config, to: configPath)
                var server = ServerInstance(binary: serverBinary, configPath: configPath, port: spec.ports.server, logDirectory: cellDirectory)
                server.unsetting.formUnion(owned.ownedEnvironment)
                if !migrated {
                    progress.status.begin("migrate", recorder: nil, operation: "", expected: .seconds(5))
                    try await server.migrate()
                    migrated = true
                }
                let target = ResourceSampler.Target(
                    postgresURL: isolation?.adminURL
                        ?? CellIsolation.url(
                            config[path: "db.primary.url"]?.stringValue ?? "postgresql://127.0.0.1:55432/exchange",
                            user: "postgres",
                            database: "postgres"
                        ),
                    database: isolation?.databaseName(cell: cell.index)
                )
                let backends = isolation.flatMap { try? BackendTerminator(admin: $0.admin, database: $0.databaseName(cell: cell.index)) }
                measurement = try await runCell(
                    server: server,
                    scenario: scenario,
                    report: &report,
                    cellDirectory: cellDirectory,
                    resources: target,
                    services: owned,
                    backends: backends,
                    faults: cell.faults
                )
            } catch {
                report.failure = "\(error)"
            }
            await services?.stop()
            await isolation?.release(cell: cell.index)
            if let failure = report.failure { progress.log("cell \(cell.index + 1) (\(cell.label)) failed: \(failure)") }
            runs.append(CellRun(report: report, measurement: measurement))
        }
        await isolation?.finish()
        return runs.sorted { $0.report.id < $1.report.id }
    }

    private func runCell(
        server: ServerInstance,
        scenario: any Scenario,
        report: inout CellReport,
        cellDirectory: String,
        resources: ResourceSampler.Target,
        services: CellServices,
        backends: BackendTerminator?,
        faults: [FaultSpec]
    ) async throws -> CellMeasurement {
        progress.status.begin("start provider + server", recorder: nil, operation: "", expected: .seconds(5))
        let provider = try await startProvider(
            executable: providerExecutable,
            port: spec.ports.provider,
            settings: spec.provider,
            logPath: cellDirectory + "/provider.log"
        )
        let serverProcess = RestartableProcess(label: "server #1") { try await server.start(logName: "server.log") }
        let workers: CellServices
        let target: LabFaultTarget
        do {
            let started = try await serverProcess.launch()
            workers = try await services.withWorkers(
                count: spec.separateWorkers(faults: faults),
                perProcess: spec.config[path: "workers.count"]?.intValue ?? 2,
                binary: serverBinary,
                configPath: server.configPath,
                directory: cellDirectory,
                unsetting: server.unsetting
            )
            target = LabFaultTarget(
                redis: services.redis,
                replica: services.replica,
                servers: [serverProcess],
                workers: workers.workers,
                backends: backends
            )
            if !faults.isEmpty, let missing = target.missingParts(for: faults.map(\.kind)) {
                for worker in workers.workers { await worker.stop() }
                throw ScenarioError(missing)
            }
            _ = started
        } catch {
            await serverProcess.stop()
            await provider.stop()
            throw error
        }
        var resourceTarget = resources
        resourceTarget.serverPID = serverProcess.process?.pid
        var executor = CellExecutor(
            baseURL: server.baseURL,
            providerURL: "http://127.0.0.1:\(spec.ports.provider)",
            grantOperator: { phone in try await server.grantOperator(phone) },
            status: progress.status,
            search: spec.search,
            resources: resourceTarget
        )
        executor.faults = faults
        executor.faultTarget = faults.isEmpty ? nil : target
        executor.drainDeadline = .seconds(spec.options.double("drainSeconds", default: 90))
        let measurement = await executor.execute(scenario, options: spec.options, cell: &report)
        progress.status.begin("stop", recorder: nil, operation: "", expected: .seconds(2))
        for worker in workers.workers { await worker.stop() }
        let serverExit = await serverProcess.stop()
        await provider.stop()
        if let serverExit, serverExit != 0, serverExit != 128 + SIGTERM {
            report.notes.append("exchange-server exited \(serverExit) on SIGTERM")
        }
        return measurement
    }
}

func writeJSON(_ value: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path))
}
