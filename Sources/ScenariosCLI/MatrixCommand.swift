import ArgumentParser
import Foundation
import Scenarios

struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Run a scenario across a configuration matrix, a fresh server, database and Redis namespace per cell, and write a report.",
        discussion: "Exit status: 0 every cell measured, 1 a cell failed, 2 nothing could run (bad matrix, no binary, stale binary)."
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
        let binary = try resolveServerBinary(matrixRun)
        let (report, directory, _) = try await runMatrix(spec: spec, binary: binary, options: matrixRun)
        printSummary(report)
        say("report: \(directory)/report.md")
        if report.cells.allSatisfy({ $0.failure != nil }) { throw ExitCode(2) }
        if report.cells.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
    }
}

/// The server binary to measure, refused when it is a debug build or older than the sources
/// (unless `--allow-stale`).
func resolveServerBinary(_ options: MatrixRunOptions) throws -> String {
    guard let binary = ServerBinary.resolve(options.serverBinary) else {
        say("exchange-server binary not found (pass --server-binary or build it: swift build -c release --product exchange-server)")
        throw ExitCode(2)
    }
    try refuseUntrustworthy(serverBinary: binary, allowStale: options.allowStale)
    return binary
}

/// Exits 2 when `binary` is a debug build or older than the sources, unless `allowStale`
/// (then it only warns): its numbers would not describe this code.
func refuseUntrustworthy(serverBinary binary: String, allowStale: Bool) throws {
    guard let problem = Provenance.check(serverBinary: binary).problem else { return }
    guard allowStale else {
        say("refusing to measure: \(problem) — or pass --allow-stale")
        throw ExitCode(2)
    }
    say("warning: \(problem) (--allow-stale)")
}

/// Runs a matrix with the live progress line and writes its report; returns it, its directory
/// and the histograms behind it.
func runMatrix(spec: MatrixSpec, binary: String, options: MatrixRunOptions) async throws -> (Report, String, [Int: CellMeasurement]) {
    let seed = options.shuffle ? (options.seed ?? UInt64.random(in: 1...UInt64(UInt32.max))) : nil
    return try await runMatrix(spec: spec, binary: binary, reportsDir: options.reportsDir, keep: options.keep, shuffleSeed: seed)
}

/// `runMatrix` with the run options spelled out (for `run --fault`, which runs one lab-managed cell).
func runMatrix(
    spec: MatrixSpec,
    binary: String,
    reportsDir: String,
    keep: Bool,
    shuffleSeed seed: UInt64?
) async throws -> (Report, String, [Int: CellMeasurement]) {
    let directory = try ReportWriter.makeDirectory(root: reportsDir, name: spec.name)
    let progress = ProgressPrinter(status: LiveStatus())
    let cellCount = spec.cells().count
    say(
        "matrix \(spec.name): \(cellCount) cells of \(spec.scenario), ~\(Int(Double(cellCount) * spec.estimatedSecondsPerCell / 60) + 1) min; report: \(directory)"
    )
    if let seed { say("shuffled cell order, seed \(seed) (repeat it with --shuffle --seed \(seed))") }
    var (provenance, clock) = await Provenance.begin(serverBinary: binary)
    let runner = MatrixRunner(
        spec: spec,
        serverBinary: binary,
        providerExecutable: ServerBinary.currentExecutable(),
        directory: directory,
        progress: progress,
        options: MatrixRunner.Options(keep: keep, shuffleSeed: seed)
    )
    let runs = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await progress.run() }
        defer { group.cancelAll() }
        return try await runner.run()
    }
    provenance.end(clock)
    var report = Report(
        name: spec.name,
        scenario: spec.scenario,
        load: spec.load,
        options: spec.options,
        machine: await .current(),
        selection: spec.selection,
        cells: runs.map(\.report)
    )
    report.provenance = provenance
    report.shuffleSeed = seed
    var measurements: [Int: CellMeasurement] = [:]
    for run in runs { measurements[run.report.id] = run.measurement }
    try ReportWriter.write(report, measurements: measurements, to: directory)
    return (report, directory, measurements)
}
