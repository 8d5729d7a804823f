import Foundation
import Profiler
import WireJSON

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
        let limits = await connectionLimits(isolation: isolation)
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
            report.topology = cell.topology
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
                if let limits {
                    let budget = ConnectionBudget(
                        config: config,
                        topology: cell.topology,
                        primaryMax: limits.primary.max,
                        primaryReserved: limits.primary.reserved,
                        replicaMax: limits.replica.max,
                        replicaReserved: limits.replica.reserved
                    )
                    if let refusal = budget.refusal { throw ScenarioError("refused: \(refusal)") }
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
                let launch = CellLaunch(
                    server: server,
                    config: config,
                    topology: cell.topology,
                    scenario: scenario,
                    cellDirectory: cellDirectory,
                    resources: target,
                    services: owned,
                    backends: backends,
                    faults: cell.faults
                )
                measurement = try await runCell(launch, report: &report)
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

    /// `max_connections` of the primary and the replica (nil, logged, when they can't be read:
    /// then cells are not checked against them).
    private func connectionLimits(
        isolation: CellIsolation?
    ) async -> (primary: (max: Int, reserved: Int), replica: (max: Int, reserved: Int))? {
        let primaryURL = spec.config[path: "db.primary.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55432/exchange"
        let replicaURL = spec.config[path: "db.replica.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55433/exchange"
        let adminURL = isolation?.adminURL ?? CellIsolation.url(primaryURL, user: "postgres", database: "postgres")
        do {
            let primary = try await ConnectionBudget.limits(url: adminURL)
            let replica = try await ConnectionBudget.limits(url: CellIsolation.url(replicaURL, user: "postgres", database: "postgres"))
            return (primary, replica)
        } catch {
            progress.log("could not read max_connections (cells are not checked against it): \(error)")
            return nil
        }
    }

    /// What one cell runs with: its first server, the config every instance starts from, and
    /// the parts the lab started or may break for it.
    private struct CellLaunch {
        var server: ServerInstance
        var config: JSON
        var topology: Topology
        var scenario: any Scenario
        var cellDirectory: String
        var resources: ResourceSampler.Target
        var services: CellServices
        var backends: BackendTerminator?
        var faults: [FaultSpec]
    }

    /// Starts the cell's relays and PgBouncer when its topology asks for them (the servers'
    /// config then points at them), runs the cell, and stops them.
    private func runCell(_ launch: CellLaunch, report: inout CellReport) async throws -> CellMeasurement {
        guard launch.topology.relayed || launch.topology.pooler != .none else {
            return try await runServers(launch, report: &report)
        }
        progress.status.begin("start relay / pooler", recorder: nil, operation: "", expected: .seconds(2))
        let network = try await CellNetwork.start(
            topology: launch.topology,
            config: launch.config,
            ports: spec.ports,
            directory: launch.cellDirectory,
            scenariosExecutable: providerExecutable
        )
        var relayed = launch
        relayed.config = network.config
        relayed.resources.helperPIDs = network.helperPIDs
        let measurement: CellMeasurement
        do {
            report.config = network.config
            try writeJSON(network.config, to: launch.server.configPath)
            measurement = try await runServers(relayed, report: &report)
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
        return measurement
    }

    private func runServers(_ launch: CellLaunch, report: inout CellReport) async throws -> CellMeasurement {
        let (server, config, topology, scenario) = (launch.server, launch.config, launch.topology, launch.scenario)
        let (cellDirectory, resources, services) = (launch.cellDirectory, launch.resources, launch.services)
        let (backends, faults) = (launch.backends, launch.faults)
        progress.status.begin("start provider + server", recorder: nil, operation: "", expected: .seconds(5))
        let provider = try await startProvider(
            executable: providerExecutable,
            port: spec.ports.provider,
            settings: spec.provider,
            logPath: cellDirectory + "/provider.log"
        )
        // Instance k listens on ports.server + k with its own config file; all share the cell's
        // database and Redis namespace. Each is a process the lab may kill and start again.
        var servers = [server]
        for index in 1..<max(1, topology.instances) {
            var instanceConfig = config
            instanceConfig.set(path: "http.port", to: .int(spec.ports.server + index))
            let path = cellDirectory + "/config-\(index).json"
            try writeJSON(instanceConfig, to: path)
            var instance = ServerInstance(binary: serverBinary, configPath: path, port: spec.ports.server + index, logDirectory: cellDirectory)
            instance.unsetting = server.unsetting
            servers.append(instance)
        }
        let processes = servers.enumerated().map { index, instance in
            RestartableProcess(label: "server #\(index + 1)") {
                try await instance.start(logName: index == 0 ? "server.log" : "server-\(index).log")
            }
        }
        let workers: CellServices
        let target: LabFaultTarget
        do {
            for process in processes { try await process.launch() }
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
                servers: processes,
                workers: workers.workers,
                backends: backends
            )
            if !faults.isEmpty, let missing = target.missingParts(for: faults.map(\.kind)) {
                for worker in workers.workers { await worker.stop() }
                throw ScenarioError(missing)
            }
        } catch {
            for process in processes { await process.stop() }
            await provider.stop()
            throw error
        }
        var resourceTarget = resources
        resourceTarget.serverPID = processes[0].process?.pid
        resourceTarget.otherServerPIDs = processes.dropFirst().compactMap { $0.process?.pid }
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
        executor.baseURLs = servers.map(\.baseURL)
        let measurement = await executor.execute(scenario, options: spec.options, cell: &report)
        if servers.count > 1 { report.instances = await instanceShares(servers.map(\.baseURL)) }
        progress.status.begin("stop", recorder: nil, operation: "", expected: .seconds(2))
        for worker in workers.workers { await worker.stop() }
        for (index, process) in processes.enumerated() {
            let serverExit = await process.stop()
            if let serverExit, serverExit != 0, serverExit != 128 + SIGTERM {
                report.notes.append("exchange-server\(index == 0 ? "" : " \(index)") exited \(serverExit) on SIGTERM")
            }
        }
        await provider.stop()
        return measurement
    }

    /// What each instance served, from one last scrape of each.
    private func instanceShares(_ urls: [String]) async -> [InstanceShare] {
        var shares: [InstanceShare] = []
        for (index, url) in urls.enumerated() {
            let api = APIClient(baseURL: url, connections: 1, timeout: .seconds(5))
            if case .success(let scrape) = await MetricsScraper(api: api).scrape() {
                shares.append(InstanceShare(index: index, url: url, scrape: scrape))
            }
            await api.shutdown()
        }
        return shares
    }
}

func writeJSON(_ value: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path))
}
