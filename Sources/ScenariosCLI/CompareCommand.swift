import ArgumentParser
import Foundation
import Scenarios

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Compare two reports with a statistical test over their repeats: regression, improvement, no significant change, or not enough repeats.",
        discussion: """
            Latency (p50, p99 of the primary operation, all outcomes, from the .hlog interval logs): hierarchical \
            bootstrap confidence interval of the ratio B/A. Capacity (searched cells): Mann-Whitney U over the \
            repeats' capacities. Each side needs at least 2 repeats ("repeat": N in the matrix).
            """
    )

    @Argument(help: "Baseline report directory.")
    var baseline: String

    @Argument(help: "Candidate report directory.")
    var candidate: String

    @Option(help: "Confidence level of the intervals (0…1).")
    var confidence: Double = 0.95

    @Flag(help: "Exit 1 when a regression is significant.")
    var failOnRegression = false

    func run() throws {
        let a = try Report.load(from: baseline)
        let b = try Report.load(from: candidate)
        let comparison = Comparison(
            baseline: .load(report: a, directory: directory(baseline)),
            candidate: .load(report: b, directory: directory(candidate)),
            confidence: confidence
        )
        say(comparison.table())
        if a.scenario != b.scenario || a.load != b.load {
            say(
                "note: the reports ran different scenarios or loads (\(a.scenario) at \(formatNumber(a.load.rate))/s vs \(b.scenario) at \(formatNumber(b.load.rate))/s) — differences are not only the code's"
            )
        }
        if a.machine.cores != b.machine.cores || a.machine.hostname != b.machine.hostname {
            say("note: measured on different machines (\(a.machine.summary) vs \(b.machine.summary))")
        }
        for cell in Set(comparison.rows.map(\.cell)).sorted() {
            say("\(cell): \(comparison.verdict(cell: cell).rawValue)")
        }
        if comparison.rows.isEmpty { say("nothing to compare: no configuration appears in both reports with histograms or capacities") }
        if failOnRegression, !comparison.regressions.isEmpty { throw ExitCode(1) }
    }

    func directory(_ path: String) -> String {
        path.hasSuffix(".json") ? URL(fileURLWithPath: path).deletingLastPathComponent().path : path
    }
}
