import Foundation

/// The `## Faults` section of `report.md`: per fault, recovery, errors and p99 during versus
/// outside; per cell, the loss check.
enum FaultsMarkdown {
    static func section(_ report: Report) -> [String] {
        let cells = report.cells.filter { $0.faults != nil }
        guard !cells.isEmpty else { return [] }
        var lines = ["## Faults", ""]
        lines.append(
            "Times count from the start of the measured phase. *Recovery*: from the fault's end until every operation kind sent after the end had succeeded again. "
                + "*Errors* and *p99 during* cover the impact window, from the fault's start to \(formatNumber(FaultAnalysis.grace)) s after its end; *p99 outside* covers every outcome outside all fault windows (all outcomes, errors with the time they took). "
                + "*Loss*: acknowledged OTPs and committed transitions whose side effects never reached the provider simulator (by idempotency key), or whose events `/sync` did not return, after the run drained."
        )
        lines.append("")
        lines.append("| cell | fault | hit | start | end | recovery | last error after end | errors (by code) | p99 during | p99 outside |")
        lines.append("|---|---|---|---:|---:|---:|---:|---|---:|---:|")
        for cell in cells {
            for result in cell.faults?.results ?? [] {
                let event = result.event
                let errors =
                    result.errors.isEmpty
                    ? "0"
                    : "\(result.errorCount): " + result.errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let hit = event.error.map { "**\($0)**" } ?? event.target
                lines.append(
                    "| \(ReportCharts.cellName(cell)) | `\(result.fault)` | \(hit) | \(seconds(event.started)) | \(seconds(event.ended)) | "
                        + "\(result.recoverySeconds.map(seconds) ?? "**not recovered**") | \(seconds(result.lastErrorAfterEndSeconds)) | \(errors) | "
                        + "\(result.p99DuringMs.map(formatMillis) ?? "—") | \(result.p99OutsideMs.map(formatMillis) ?? "—") |"
                )
            }
        }
        lines.append("")
        let checked = cells.filter { $0.faults?.loss != nil }
        if !checked.isEmpty {
            lines.append("| cell | loss | missing by kind | expected by kind | analytics missing (best effort) | provider duplicates | drain |")
            lines.append("|---|---:|---|---|---:|---:|---:|")
            for cell in checked {
                guard let loss = cell.faults?.loss else { continue }
                let missing = loss.missing.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let expected = loss.expected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                lines.append(
                    "| \(ReportCharts.cellName(cell)) | \(loss.loss == 0 ? "0" : "**\(loss.loss)**") | \(missing.isEmpty ? "—" : missing) | \(expected) | "
                        + "\(loss.bestEffortMissing) | \(loss.duplicates) | \(seconds(loss.drainSeconds))\(loss.drained ? "" : " (deadline)") |"
                )
            }
            for cell in checked where !(cell.faults?.loss?.examples.isEmpty ?? true) {
                lines.append("")
                lines.append(
                    "Missing in `\(ReportCharts.cellName(cell))`: " + (cell.faults?.loss?.examples ?? []).map { "`\($0)`" }.joined(separator: ", ")
                )
            }
            lines.append("")
        }
        return lines
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }
}
