import ArgumentParser
import Foundation
import Scenarios

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Check a latency budget: run its scenario (or read --report), print budget vs measured, write JUnit XML.",
        discussion: "Exit status: 0 all thresholds pass, 1 a threshold is breached, 2 the gate could not run."
    )

    @Option(help: "Budget file, e.g. budgets/ci.json.")
    var budget: String

    @Option(help: "Evaluate an existing report directory instead of running.")
    var report: String?

    @Option(help: "JUnit XML output (default: junit.xml in the report directory).")
    var junit: String?

    @OptionGroup var matrixRun: MatrixRunOptions

    func run() async throws {
        stopChildrenOnInterrupt()
        let started = ContinuousClock.now
        let budget: Budget
        let evaluator: GateEvaluator
        do {
            budget = try Budget.load(path: self.budget)
            evaluator = try GateEvaluator(budget: budget)
        } catch {
            say("gate: cannot read budget \(self.budget): \(error)")
            throw ExitCode(2)
        }
        let cells: [CellReport]
        let directory: String
        if let report {
            do {
                cells = try Report.load(from: report).cells
                directory = report
            } catch {
                say("gate: cannot read report \(report): \(error)")
                throw ExitCode(2)
            }
        } else {
            guard let binary = ServerBinary.resolve(matrixRun.serverBinary) else {
                say("gate: exchange-server binary not found (pass --server-binary or build it)")
                throw ExitCode(2)
            }
            do {
                let (report, reportDirectory) = try await runMatrix(spec: budget.matrix, binary: binary, reportsDir: matrixRun.reportsDir)
                cells = report.cells
                directory = reportDirectory
            } catch {
                say("gate: the run failed: \(error)")
                throw ExitCode(2)
            }
        }
        let rows = evaluator.evaluate(cells: cells)
        say(GateEvaluator.table(rows))
        for cell in cells {
            if let failure = cell.failure { say("cell \(cell.displayName) could not run: \(failure)") }
            for reason in cell.engine?.reasons ?? [] { say("warning: \(cell.displayName): \(reason) — the measurement is not trustworthy") }
        }
        let junitPath = junit ?? directory + "/junit.xml"
        let xml = JUnitReport.render(suite: budget.name, rows: rows, seconds: started.duration(to: .now).secondsDouble)
        do {
            try xml.write(toFile: junitPath, atomically: true, encoding: .utf8)
            say("junit: \(junitPath)")
        } catch {
            say("gate: cannot write \(junitPath): \(error)")
        }
        let code = GateEvaluator.exitCode(rows: rows, cells: cells)
        let breaches = rows.filter { !$0.passed }.count
        switch code {
        case 0: say("gate: PASS (\(rows.count) thresholds)")
        case 1: say("gate: BREACH (\(breaches) of \(rows.count) thresholds)")
        default: say("gate: could not measure")
        }
        if code != 0 { throw ExitCode(code) }
    }
}
