import Foundation
import Profiler
import Testing
import WireJSON

@testable import Scenarios

/// Two tiny cells against real `exchange-server` processes (and `scenarios provider` children).
///
/// Runs when both binaries exist (`EXCHANGE_SERVER_BINARY` / `.build/{release,debug}/exchange-server`,
/// `SCENARIOS_BINARY` / `.build-lab/debug/scenarios` / `.build/debug/scenarios`); otherwise it is
/// reported as skipped — unless `LAB_E2E=1` (`make test`), which runs it anyway so that a missing
/// prerequisite is a failure.
@Suite struct MatrixEndToEndTests {
    static var required: Bool { ProcessInfo.processInfo.environment["LAB_E2E"] == "1" }

    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The `exchange-server` and `scenarios` binaries, if both are built.
    static var binaries: (server: String, scenarios: String)? {
        guard let server = ServerBinary.resolve(nil, root: root), let scenarios = ServerBinary.scenarios(root: root) else { return nil }
        return (server, scenarios)
    }

    /// Both binaries, or a failure naming what is missing (reached only under `LAB_E2E=1`:
    /// otherwise ``Testing/Trait/labBinaries`` skips the test).
    static func requireBinaries() throws -> (server: String, scenarios: String) {
        try #require(binaries, "LAB_E2E=1 but the exchange-server or scenarios binary is missing (build both products)")
    }

    @Test(.labBinaries)
    func twoTinyCellsProduceACompleteReport() async throws {
        let (server, scenarios) = try Self.requireBinaries()
        let ports = try Fixtures.cellPorts()
        let spec = MatrixSpec(
            name: "e2e",
            scenario: "exchange-flow",
            load: LoadSpec(rate: 4, duration: 3, warmup: 0, arrival: .constant),
            options: ScenarioOptions(["operators": .int(2), "observe": .bool(false)]),
            config: ["sideEffects": ["mode": .string("sync")]],
            axes: [.init(path: "db.primary.poolSize", values: [.int(2), .int(8)])],
            ports: ports,
            provider: .init(latencyMs: 5)
        )
        let directory = try Fixtures.temporaryDirectory()
        let runner = MatrixRunner(
            spec: spec,
            serverBinary: server,
            providerExecutable: scenarios,
            directory: directory,
            progress: ProgressPrinter(status: LiveStatus(), isTerminal: false)
        )
        let runs = try await runner.run()
        #expect(runs.count == 2)
        if let failure = runs.compactMap(\.report.failure).first {
            // The binaries exist; a server that doesn't answer yet is only a failure when required.
            #expect(!Self.required, "cell failed: \(failure)")
            return
        }
        for run in runs {
            #expect((run.report.operations["create_request"]?.count ?? 0) >= 10)
            #expect(run.report.errorRate == 0, "errors: \(run.report.errors)")
            #expect(run.report.serverMetrics?.scrapeError == nil)
            #expect(run.report.config[path: "db.primary.poolSize"] != nil)
        }
        var histograms: [Int: [String: LatencyHistogram]] = [:]
        for run in runs { histograms[run.report.id] = run.histograms }
        let report = Report(
            name: "e2e",
            scenario: spec.scenario,
            load: spec.load,
            options: spec.options,
            machine: await .current(),
            selection: SelectionRule(ceilingMs: 10_000),
            cells: runs.map(\.report)
        )
        try ReportWriter.write(report, histograms: histograms, to: directory)
        let decoded = try Report.load(from: directory)
        #expect(decoded.cells.count == 2)
        #expect(decoded.best != nil)
        #expect(FileManager.default.fileExists(atPath: directory + "/report.md"))
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the `exchange-server` and `scenarios` binaries are built, and always
    /// under `LAB_E2E=1`, where a missing binary is a failure; otherwise it shows as skipped.
    static var labBinaries: Self {
        .enabled(
            if: MatrixEndToEndTests.required || MatrixEndToEndTests.binaries != nil,
            "needs the exchange-server and scenarios binaries (set LAB_E2E=1 to require them)"
        )
    }
}
