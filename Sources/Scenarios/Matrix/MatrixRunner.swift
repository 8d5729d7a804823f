import Foundation

/// Runs every cell of a matrix: fresh provider and `exchange-server` per cell, warm-up,
/// measurement, metric scrapes, then SIGTERM (SIGKILL after a timeout) and on to the next.
public struct MatrixRunner: Sendable {
    public var spec: MatrixSpec
    public var serverBinary: String
    /// A `scenarios` executable to run `scenarios provider` from.
    public var providerExecutable: String
    /// The report directory; cell configs and server logs go under `cells/`.
    public var directory: String
    public var progress: ProgressPrinter

    public init(spec: MatrixSpec, serverBinary: String, providerExecutable: String, directory: String, progress: ProgressPrinter) {
        self.spec = spec
        self.serverBinary = serverBinary
        self.providerExecutable = providerExecutable
        self.directory = directory
        self.progress = progress
    }

    /// A measured cell with the histograms behind its summary.
    public struct CellRun: Sendable {
        public var report: CellReport
        public var histograms: [String: LatencyHistogram]
    }

    public func run() async throws -> [CellRun] {
        guard let scenario = ScenarioRegistry.named(spec.scenario) else { throw ScenarioError("unknown scenario \(spec.scenario)") }
        let cells = spec.cells()
        let cellsDirectory = directory + "/cells"
        try FileManager.default.createDirectory(atPath: cellsDirectory, withIntermediateDirectories: true)
        progress.plan(cells: cells.count, secondsPerCell: spec.estimatedSecondsPerCell)
        var runs: [CellRun] = []
        var migrated = false
        for cell in cells {
            progress.beginCell(cell.index, label: cell.label + (spec.repeat > 1 ? " #\(cell.repeatIndex + 1)" : ""))
            var report = CellReport(
                id: cell.index, label: cell.label, axes: cell.axes, repeatIndex: cell.repeatIndex, config: cell.config,
                scenario: spec.scenario, load: spec.load, primaryOperation: scenario.primaryOperation
            )
            let cellDirectory = cellsDirectory + "/\(cell.index)"
            var histograms: [String: LatencyHistogram] = [:]
            do {
                try FileManager.default.createDirectory(atPath: cellDirectory, withIntermediateDirectories: true)
                let configPath = cellDirectory + "/config.json"
                try writeJSON(cell.config, to: configPath)
                let server = ServerInstance(binary: serverBinary, configPath: configPath, port: spec.ports.server, logDirectory: cellDirectory)
                if !migrated {
                    progress.status.begin("migrate", recorder: nil, operation: "", expected: .seconds(5))
                    try await server.migrate()
                    migrated = true
                }
                histograms = try await runCell(cell: cell, server: server, scenario: scenario, report: &report, cellDirectory: cellDirectory)
            } catch {
                report.failure = "\(error)"
            }
            if let failure = report.failure { progress.log("cell \(cell.index + 1) (\(cell.label)) failed: \(failure)") }
            runs.append(CellRun(report: report, histograms: histograms))
        }
        return runs
    }

    private func runCell(
        cell: MatrixSpec.Cell, server: ServerInstance, scenario: any Scenario, report: inout CellReport, cellDirectory: String
    ) async throws -> [String: LatencyHistogram] {
        progress.status.begin("start provider + server", recorder: nil, operation: "", expected: .seconds(5))
        let provider = try await startProvider(
            executable: providerExecutable, port: spec.ports.provider, settings: spec.provider, logPath: cellDirectory + "/provider.log"
        )
        let serverProcess: ChildProcess
        do {
            serverProcess = try await server.start(logName: "server.log")
        } catch {
            await provider.stop()
            throw error
        }
        let executor = CellExecutor(
            baseURL: server.baseURL,
            providerURL: "http://127.0.0.1:\(spec.ports.provider)",
            grantOperator: { phone in try await server.grantOperator(phone) },
            status: progress.status
        )
        let histograms = await executor.execute(scenario, options: spec.options, cell: &report)
        progress.status.begin("stop", recorder: nil, operation: "", expected: .seconds(2))
        let serverExit = await serverProcess.stop()
        await provider.stop()
        if let serverExit, serverExit != 0, serverExit != 128 + SIGTERM {
            report.notes.append("exchange-server exited \(serverExit) on SIGTERM")
        }
        return histograms
    }
}

func writeJSON(_ value: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path))
}
