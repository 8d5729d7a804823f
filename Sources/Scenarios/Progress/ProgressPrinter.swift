import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A live status line on a terminal (rewritten in place), plain periodic lines otherwise:
/// cell i/n, elapsed / ETA, phase, achieved rate, p99 so far, errors.
public final class ProgressPrinter: Sendable {
    struct State {
        var cell = 0
        var cells = 1
        var label = ""
        var started = ContinuousClock.now
        var cellStarted = ContinuousClock.now
        var secondsPerCell: Double = 30
        var finishedCells: [Double] = []
    }

    public let status: LiveStatus
    let isTerminal: Bool
    private let state = Mutex(State())

    public init(status: LiveStatus, isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.status = status
        self.isTerminal = isTerminal
    }

    public func plan(cells: Int, secondsPerCell: Double) {
        state.withLock {
            $0.cells = cells
            $0.secondsPerCell = secondsPerCell
            $0.started = .now
        }
    }

    public func beginCell(_ index: Int, label: String) {
        state.withLock {
            if $0.cell > 0 { $0.finishedCells.append(($0.cellStarted.duration(to: .now)).seconds) }
            $0.cell = index + 1
            $0.label = label
            $0.cellStarted = .now
        }
        if !isTerminal { Self.write("cell \(index + 1): \(label)\n") }
    }

    /// Prints until cancelled.
    public func run() async {
        let interval: Duration = isTerminal ? .milliseconds(500) : .seconds(5)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            let line = self.line()
            Self.write(isTerminal ? "\r\u{1B}[2K" + line : line + "\n")
        }
        if isTerminal { Self.write("\r\u{1B}[2K") }
    }

    /// Writes a line above the live status (clearing it first on a terminal).
    public func log(_ message: String) {
        Self.write(isTerminal ? "\r\u{1B}[2K" + message + "\n" : message + "\n")
    }

    func line() -> String {
        let snapshot = state.withLock { $0 }
        let elapsed = snapshot.started.duration(to: .now).seconds
        let perCell =
            snapshot.finishedCells.isEmpty
            ? snapshot.secondsPerCell
            : snapshot.finishedCells.reduce(0, +) / Double(snapshot.finishedCells.count)
        let inCell = snapshot.cellStarted.duration(to: .now).seconds
        let remaining = max(0, Double(snapshot.cells - snapshot.cell) * perCell + max(0, perCell - inCell))
        var parts = ["cell \(snapshot.cell)/\(snapshot.cells)", "\(Self.clock(elapsed)) / ETA \(Self.clock(remaining))"]
        if let phase = status.current {
            let phaseElapsed = phase.started.duration(to: .now).seconds
            parts.append("\(phase.name) \(Int(phaseElapsed))/\(Int(phase.expected.seconds))s")
            if let recorder = phase.recorder {
                let live = recorder.live(phase.operation)
                let rate = phaseElapsed > 0 ? Double(live.count) / phaseElapsed : 0
                parts.append(String(format: "%.1f/s", rate))
                parts.append("p99 \(formatMillis(live.p99Ms))")
                parts.append("errors \(live.errors)")
            }
        }
        if !snapshot.label.isEmpty { parts.append(snapshot.label) }
        return parts.joined(separator: " | ")
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
