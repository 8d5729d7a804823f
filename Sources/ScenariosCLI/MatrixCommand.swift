import ArgumentParser
import Foundation
import Scenarios

struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Run a scenario across a configuration matrix, a fresh server per cell, and write a report."
    )

    @Argument(help: "Matrix file (see docs/lab.md), e.g. matrices/smoke.json.")
    var file: String

    @OptionGroup var matrixRun: MatrixRunOptions

    func run() async throws {
        stopChildrenOnInterrupt()
        let spec: MatrixSpec
        do {
            spec = try MatrixSpec.load(path: file)
        } catch {
            say("cannot read matrix \(file): \(error)")
            throw ExitCode(2)
        }
        guard let binary = ServerBinary.resolve(matrixRun.serverBinary) else {
            say("exchange-server binary not found (pass --server-binary or build it: swift build --product exchange-server)")
            throw ExitCode(2)
        }
        let (report, directory) = try await runMatrix(spec: spec, binary: binary, reportsDir: matrixRun.reportsDir)
        printSummary(report)
        say("report: \(directory)/report.md")
        if report.cells.allSatisfy({ $0.failure != nil }) { throw ExitCode(2) }
    }
}

/// Runs a matrix with the live progress line and writes its report; returns it and its directory.
func runMatrix(spec: MatrixSpec, binary: String, reportsDir: String) async throws -> (Report, String) {
    let directory = try ReportWriter.makeDirectory(root: reportsDir, name: spec.name)
    let progress = ProgressPrinter(status: LiveStatus())
    say("matrix \(spec.name): \(spec.cells().count) cells of \(spec.scenario), ~\(Int(Double(spec.cells().count) * spec.estimatedSecondsPerCell / 60) + 1) min; report: \(directory)")
    let runner = MatrixRunner(
        spec: spec, serverBinary: binary, providerExecutable: ServerBinary.currentExecutable(), directory: directory, progress: progress
    )
    let runs = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await progress.run() }
        defer { group.cancelAll() }
        return try await runner.run()
    }
    let report = Report(
        name: spec.name, scenario: spec.scenario, load: spec.load, options: spec.options, machine: await .current(),
        selection: spec.selection, cells: runs.map(\.report)
    )
    var histograms: [Int: [String: LatencyHistogram]] = [:]
    for run in runs { histograms[run.report.id] = run.histograms }
    try ReportWriter.write(report, histograms: histograms, to: directory)
    return (report, directory)
}
