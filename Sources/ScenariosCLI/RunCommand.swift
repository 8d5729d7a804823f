import ArgumentParser
import Foundation
import Scenarios

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

    func run() async throws {
        guard let scenario = ScenarioRegistry.named(scenario) else {
            throw ValidationError("unknown scenario \(self.scenario); try `scenarios list`")
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
                + "errors \(String(format: "%.2f%%", cell.errorRate * 100))" + (cell.trustworthy ? "" : " — NOT TRUSTWORTHY")
        )
        for reason in cell.engine?.reasons ?? [] { say("  ⚠ \(reason)") }
        for (check, passed) in cell.checks.sorted(by: { $0.key < $1.key }) where !passed { say("  ❌ check failed: \(check)") }
    }
    for knee in report.knees ?? [] { say("knee \(knee.group.isEmpty ? "" : knee.group + " ")— \(knee.sentence)") }
    if let best = report.best, report.cells.count > 1 { say("best: \(best.label) — \(best.reason)") }
}
