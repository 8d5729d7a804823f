import ArgumentParser
import Scenarios

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Per-operation deltas between two reports; flags changes beyond run-to-run noise."
    )

    @Argument(help: "Baseline report directory (or report.json).")
    var baseline: String

    @Argument(help: "Candidate report directory (or report.json).")
    var candidate: String

    @Option(help: "Noise band when a report recorded no spread (fraction).")
    var noise: Double = Comparison.defaultNoise

    @Flag(help: "Exit 1 when a regression beyond noise is flagged.")
    var failOnRegression = false

    func run() throws {
        let a = try Report.load(from: baseline)
        let b = try Report.load(from: candidate)
        let comparison = Comparison(baseline: a, candidate: b, defaultNoise: noise)
        say(comparison.table())
        if a.scenario != b.scenario || a.load != b.load {
            say("note: the reports ran different scenarios or loads (\(a.scenario) at \(formatNumber(a.load.rate))/s vs \(b.scenario) at \(formatNumber(b.load.rate))/s) — differences are not only the code's")
        }
        if a.machine.cores != b.machine.cores || a.machine.hostname != b.machine.hostname {
            say("note: measured on different machines (\(a.machine.summary) vs \(b.machine.summary))")
        }
        let regressions = comparison.regressions
        say(regressions.isEmpty ? "no change beyond noise flagged as a regression" : "\(regressions.count) regression(s) beyond noise")
        if failOnRegression, !regressions.isEmpty { throw ExitCode(1) }
    }
}
