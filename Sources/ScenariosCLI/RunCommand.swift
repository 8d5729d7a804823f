import ArgumentParser
import Foundation
import Scenarios
import WireJSON

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario against an already running server and write a report directory."
    )

    @Argument(help: "Scenario name (see `scenarios list`).")
    var scenario: String

    @OptionGroup var loadOptions: LoadOptions

    @Option(help: "The exchange server's base URL.")
    var url = "http://127.0.0.1:8080"

    @Option(help: "The provider simulator's base URL.")
    var providerURL = "http://127.0.0.1:8090"

    @Option(help: "exchange-server binary for grant-operator (default: EXCHANGE_SERVER_BINARY, .build/release, .build/debug).")
    var serverBinary: String?

    @Option(help: "The server's --config file, passed to grant-operator.")
    var serverConfig: String?

    @Option(help: "Where report directories go.")
    var reportsDir = "reports"

    @Option(help: "Report name (default: the scenario).")
    var name: String?

    @OptionGroup var searchOptions: SearchOptions

    @Option(help: "PostgreSQL URL whose pg_stat_activity is sampled during measurement (empty: none).")
    var postgresURL = "postgresql://postgres@127.0.0.1:55432/postgres"

    @Option(help: "Only this database's backends count in the PostgreSQL figures (default: all).")
    var database: String?

    @Option(help: "The server's process id, for its CPU use (default: not measured).")
    var serverPid: Int32?

    @OptionGroup var faultOptions: FaultOptions

    func run() async throws {
        guard let scenario = ScenarioRegistry.named(scenario) else {
            throw ValidationError("unknown scenario \(self.scenario); try `scenarios list`")
        }
        let faults = try faultOptions.faults()
        if !faults.isEmpty {
            try await runWithFaults(scenario: scenario, faults: faults)
            return
        }
        let options = try loadOptions.options()
        let load = loadOptions.load
        let search = try searchOptions.spec()
        let binary = ServerBinary.resolve(serverBinary)
        let configArguments = serverConfig.map { ["--config", $0] } ?? []
        let grant: OperatorGranter = { phone in
            guard let binary else {
                throw ScenarioError("operators need `exchange-server grant-operator`: pass --server-binary (none found)")
            }
            let status = try await ChildProcess.run(
                executable: binary,
                arguments: ["grant-operator", phone] + configArguments,
                logPath: nil,
                timeout: .seconds(60)
            )
            guard status == 0 else { throw ScenarioError("exchange-server grant-operator exited \(status)") }
        }
        let status = LiveStatus()
        let progress = ProgressPrinter(status: status)
        progress.plan(
            cells: 1,
            secondsPerCell: search.map { load.warmup + Double(6 + $0.refine) * ($0.stepSeconds + 1) } ?? load.warmup + load.duration + 5
        )
        progress.beginCell(0, label: scenario.name)
        var cell = CellReport(
            id: 0,
            label: scenario.name,
            axes: [:],
            repeatIndex: 0,
            config: .null,
            scenario: scenario.name,
            load: load,
            primaryOperation: scenario.primaryOperation
        )
        let resources = ResourceSampler.Target(
            postgresURL: postgresURL.isEmpty ? nil : postgresURL,
            database: database,
            serverPID: serverPid
        )
        let executor = CellExecutor(
            baseURL: url,
            providerURL: providerURL,
            grantOperator: grant,
            status: status,
            search: search,
            resources: resources
        )
        var (provenance, clock) = await Provenance.begin(serverBinary: binary ?? "(external server at \(url))")
        let measurement = await withTaskGroup(of: Void.self) { group in
            group.addTask { await progress.run() }
            defer { group.cancelAll() }
            return await executor.execute(scenario, options: options, cell: &cell)
        }
        provenance.end(clock)
        var report = Report(
            name: name ?? scenario.name,
            scenario: scenario.name,
            load: load,
            options: options,
            machine: await .current(),
            selection: SelectionRule(operation: scenario.primaryOperation),
            cells: [cell]
        )
        report.provenance = provenance
        let directory = try ReportWriter.makeDirectory(root: reportsDir, name: report.name)
        try ReportWriter.write(report, measurements: [0: measurement], to: directory)
        printSummary(report)
        say("report: \(directory)/report.md")
        if cell.failure != nil { throw ExitCode(2) }
    }
}

extension RunCommand {
    /// Faults may hit only what the lab started: the run starts its own setup — a fresh
    /// database, the server(s), separate workers, a private Redis and replica as the faults
    /// need — runs the scenario against it like a one-cell matrix, and writes the report.
    func runWithFaults(scenario: any Scenario, faults: [FaultSpec]) async throws {
        stopChildrenOnInterrupt()
        guard let binary = ServerBinary.resolve(serverBinary) else {
            throw ValidationError("--fault starts its own exchange-server: pass --server-binary (none found)")
        }
        try refuseUntrustworthy(serverBinary: binary, allowStale: faultOptions.allowStale)
        var config = JSON.object([])
        if let serverConfig {
            config = try JSONDecoder().decode(JSON.self, from: Data(contentsOf: URL(fileURLWithPath: serverConfig)))
        }
        var spec = MatrixSpec(
            name: name ?? scenario.name + "-faults",
            scenario: scenario.name,
            load: loadOptions.load,
            options: try loadOptions.options(),
            config: config,
            ports: try Self.freePorts(instances: faultOptions.instances),
            provider: MatrixSpec.ProviderSettings(latencyMs: faultOptions.providerLatencyMs)
        )
        spec.faults = faults
        spec.own = MatrixSpec.OwnedServices(redis: faultOptions.ownRedis, replica: faultOptions.ownReplica)
        spec.workerProcesses = faultOptions.workerProcesses
        spec.topology.instances = faultOptions.instances
        do {
            try spec.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        say("run with faults \(faults.map(\.description).joined(separator: ", ")): the lab starts its own setup (--url is not used)")
        let (report, directory, _) = try await runMatrix(spec: spec, binary: binary, reportsDir: reportsDir, keep: false, shuffleSeed: nil)
        printSummary(report)
        say("report: \(directory)/report.md")
        if report.cells.contains(where: { $0.failure != nil }) { throw ExitCode(2) }
        if report.cells.contains(where: { ($0.faults?.loss?.loss ?? 0) > 0 }) { throw ExitCode(1) }
    }
}

extension RunCommand {
    /// Free loopback ports for the servers (consecutive), the provider and the topology's helpers.
    static func freePorts(instances: Int) throws -> MatrixSpec.Ports {
        for _ in 0..<50 {
            let server = try freeLoopbackPort()
            guard server + instances < 65_000 else { continue }
            let taken = Set(server..<(server + instances))
            let provider = try freeLoopbackPort()
            guard !taken.contains(provider) else { continue }
            var ports = MatrixSpec.Ports(server: server, provider: provider)
            ports.relay = try freeLoopbackPort()
            ports.pooler = try freeLoopbackPort()
            if taken.isDisjoint(with: [ports.relay, ports.relay + 1, ports.pooler]) { return ports }
        }
        throw ScenarioError("found no free loopback ports")
    }
}

/// What the terminal says of a cell's measurement: after its line, and before each reason.
private func trustNote(_ trust: EngineHealth.Trust) -> (line: String, mark: String) {
    switch trust {
    case .trustworthy: ("", "⚠")
    case .upperBounds: (" — latencies are upper bounds (late starts)", "ⓘ")
    case .untrustworthy: (" — NOT TRUSTWORTHY", "⚠")
    }
}

/// A few lines for the terminal after a run.
func printSummary(_ report: Report) {
    for cell in report.cells {
        if let failure = cell.failure {
            say("\(cell.displayName): FAILED — \(failure)")
            continue
        }
        let primary = cell.primary
        if let capacity = cell.capacity {
            say(
                "\(cell.displayName): capacity \(capacity.rate.map { formatNumber($0) + "/s" } ?? "none") of \(capacity.search.operation) "
                    + "(\(capacity.steps.count) steps), limited by \(capacity.limitedBy) — \(capacity.evidence)"
            )
        }
        say(
            "\(cell.displayName): offered \(formatNumber(cell.offeredRate))/s, achieved \(String(format: "%.1f", cell.achievedRate))/s, "
                + "\(cell.primaryOperation) p50 \(formatMillis(primary?.p50Ms ?? 0)) p99 \(formatMillis(primary?.p99Ms ?? 0)), "
                + "errors \(String(format: "%.2f%%", cell.errorRate * 100))" + trustNote(cell.trust).line
        )
        for reason in cell.engine?.reasons ?? [] { say("  \(trustNote(cell.trust).mark) \(reason)") }
        for (check, passed) in cell.checks.sorted(by: { $0.key < $1.key }) where !passed { say("  ❌ check failed: \(check)") }
        for result in cell.faults?.results ?? [] {
            say(
                "  fault \(result.fault) (\(result.event.error ?? result.event.target)): recovery "
                    + (result.recoverySeconds.map { String(format: "%.2f s", $0) } ?? "NONE")
                    + ", \(result.errorCount) errors in its window"
                    + (result.errors.isEmpty
                        ? "" : " (" + result.errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
                    + ", p99 during \(result.p99DuringMs.map(formatMillis) ?? "—") vs outside \(result.p99OutsideMs.map(formatMillis) ?? "—")"
            )
        }
        if let loss = cell.faults?.loss {
            say(
                "  loss \(loss.loss) of \(loss.expected.filter { $0.key != "analytics" }.values.reduce(0, +)) acknowledged items (analytics missing: \(loss.bestEffortMissing), drained in \(String(format: "%.1f s", loss.drainSeconds)))"
            )
        }
    }
    for knee in report.knees ?? [] { say("knee \(knee.group.isEmpty ? "" : knee.group + " ")— \(knee.sentence)") }
    if let best = report.best, report.cells.count > 1 { say("best: \(best.label) — \(best.reason)") }
}
