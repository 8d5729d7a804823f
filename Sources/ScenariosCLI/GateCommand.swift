import ArgumentParser
import Foundation
import Profiler
import Scenarios

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Check a latency budget: run its scenario (or read --report), print budget vs measured, write JUnit XML.",
        discussion: """
            Exit status: 0 all thresholds pass, 1 a threshold is breached, 2 the gate could not run or the \
            measurement is not trustworthy (the load engine fell behind, dropped arrivals, or requests waited \
            for a client connection) — unless --allow-untrustworthy. When the engine only started operations \
            late, each latency lies between the measured one less the largest dispatch delay and the measured \
            one: a threshold with the same verdict across that range is judged, any other leaves the run \
            inconclusive (2).
            """
    )

    @Option(help: "Budget file, e.g. budgets/ci.json.")
    var budget: String

    @Option(help: "Evaluate an existing report directory instead of running.")
    var report: String?

    @Option(help: "JUnit XML output (default: junit.xml in the report directory).")
    var junit: String?

    @Flag(help: "Judge the thresholds even when the load engine says the measurement is not trustworthy.")
    var allowUntrustworthy = false

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
        var histograms: [Int: [String: LatencyHistogram]] = [:]
        if let report {
            do {
                cells = try Report.load(from: report).cells
                directory = report
                histograms = GateEvaluator.histograms(fromReport: report, cells: cells)
            } catch {
                say("gate: cannot read report \(report): \(error)")
                throw ExitCode(2)
            }
        } else {
            let binary: String
            do {
                binary = try resolveServerBinary(matrixRun)
            } catch {
                say("gate: could not run")
                throw error
            }
            do {
                var (report, reportDirectory, measurements) = try await runMatrix(spec: budget.matrix, binary: binary, options: matrixRun)
                histograms = measurements.mapValues(\.judged)
                let first = evaluator.evaluate(cells: report.cells, histograms: histograms)
                if !allowUntrustworthy, let reason = GateEvaluator.inconclusiveReason(rows: first, cells: report.cells) {
                    // A scheduling hiccup of a shared machine: measure once more before giving up.
                    say("gate: the measurement is not trustworthy (\(reason)); running it once more")
                    (report, reportDirectory, measurements) = try await runMatrix(spec: budget.matrix, binary: binary, options: matrixRun)
                    histograms = measurements.mapValues(\.judged)
                }
                cells = report.cells
                directory = reportDirectory
            } catch {
                say("gate: the run failed: \(error)")
                throw ExitCode(2)
            }
        }
        let rows = evaluator.evaluate(cells: cells, histograms: histograms)
        say(GateEvaluator.table(rows))
        for cell in cells {
            if let failure = cell.failure { say("cell \(cell.displayName) could not run: \(failure)") }
            let verdict = cell.trust == .upperBounds ? "latencies are upper bounds" : "the measurement is not trustworthy"
            for reason in cell.engine?.reasons ?? [] { say("\(cell.displayName): \(reason) — \(verdict)") }
        }
        let junitPath = junit ?? directory + "/junit.xml"
        let xml = JUnitReport.render(suite: budget.name, rows: rows, seconds: started.duration(to: .now).seconds)
        do {
            try xml.write(toFile: junitPath, atomically: true, encoding: .utf8)
            say("junit: \(junitPath)")
        } catch {
            say("gate: cannot write \(junitPath): \(error)")
        }
        let code = GateEvaluator.exitCode(rows: rows, cells: cells, allowUntrustworthy: allowUntrustworthy)
        let breaches = rows.filter { !$0.passed }.count
        switch code {
        case 0:
            let note =
                if cells.allSatisfy(\.trustworthy) {
                    ""
                } else if GateEvaluator.inconclusiveReason(rows: rows, cells: cells) == nil {
                    " — on latencies that are upper bounds (the load engine started some operations late), which meet every threshold"
                } else {
                    " — measured by an untrustworthy engine (--allow-untrustworthy)"
                }
            say("gate: PASS (\(rows.count) thresholds)" + note)
        case 1: say("gate: BREACH (\(breaches) of \(rows.count) thresholds)")
        default:
            if let reason = GateEvaluator.inconclusiveReason(rows: rows, cells: cells), !allowUntrustworthy {
                say("gate: NOT TRUSTWORTHY — \(reason) (exit 2; pass --allow-untrustworthy to judge the thresholds anyway)")
            } else {
                say("gate: could not measure")
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}
