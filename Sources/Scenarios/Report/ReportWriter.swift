import Foundation
import Profiler

/// Writes a report directory: `report.json`, `report.md`, SVG charts, `.hgrm` percentile
/// distributions and `.hlog` interval logs.
public enum ReportWriter {
    /// `reports/<UTC yyyyMMdd-HHmmss>-<name>/` under `root`, created.
    public static func makeDirectory(root: String, name: String) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let path = "\(root)/\(formatter.string(from: Date()))-\(safeName)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes everything from histograms only (no interval logs); returns the files written.
    @discardableResult
    public static func write(_ report: Report, histograms: [Int: [String: LatencyHistogram]], to directory: String) throws -> [String] {
        try write(report, measurements: histograms.mapValues { CellMeasurement(histograms: $0) }, to: directory)
    }

    /// Writes everything; returns the files written (relative names).
    @discardableResult
    public static func write(_ report: Report, measurements: [Int: CellMeasurement], to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var report = report
        report.merged = RepeatMerge.merged(cells: report.cells, measurements: measurements)
        var written: [String] = []
        try writeJSON(report, to: directory + "/report.json")
        written.append("report.json")
        let histogramDirectory = directory + "/histograms"
        try FileManager.default.createDirectory(atPath: histogramDirectory, withIntermediateDirectories: true)
        for cell in report.cells {
            let measurement = measurements[cell.id] ?? CellMeasurement()
            for (operation, histogram) in measurement.histograms.sorted(by: { $0.key < $1.key }) where histogram.count > 0 {
                let name = "histograms/\(hgrmName(cell: cell, operation: operation))"
                try histogram.percentileDistribution().write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
                written.append(name)
            }
            if !measurement.intervals.isEmpty {
                let name = "histograms/\(hlogName(cell: cell))"
                try IntervalLog.render(measurement.intervals, startTime: measurement.startedAt)
                    .write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
                written.append(name)
            }
        }
        let charts = ReportCharts.make(
            report: report,
            histograms: measurements.mapValues(\.histograms),
            intervals: measurements.mapValues(\.intervals)
        )
        for (name, svg) in charts {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                withIntermediateDirectories: true
            )
            try svg.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(name)
        }
        try MarkdownReport.render(report, charts: Array(charts.keys)).write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        written.append("report.md")
        return written
    }

    /// Re-renders `report.md`, the knees in `report.json` and the charts drawn from
    /// `report.json` alone (capacity curves), e.g. after the renderer improved; histogram files
    /// and timelines stay as written.
    @discardableResult
    public static func rerender(directory: String) throws -> [String] {
        var report = try Report.load(from: directory)
        let knees = Knee.find(cells: report.cells)
        report.knees = knees.isEmpty ? nil : knees
        try writeJSON(report, to: directory + "/report.json")
        var written: [String] = ["report.json"]
        for (name, svg) in CapacityCharts.make(report: report, intervals: [:]) {
            try svg.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            written.append(name)
        }
        var charts = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".svg") } ?? []
        charts += ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/timeline")) ?? []).map { "timeline/" + $0 }
        try MarkdownReport.render(report, charts: charts).write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        written.append("report.md")
        return written
    }

    /// `cell-03-create_request.hgrm` (values in milliseconds).
    public static func hgrmName(cell: CellReport, operation: String) -> String {
        String(format: "cell-%02d-", cell.id) + operation + ".hgrm"
    }

    /// `cell-03.hlog`: every operation's one-second intervals (microseconds).
    public static func hlogName(cell: CellReport) -> String {
        String(format: "cell-%02d.hlog", cell.id)
    }
}
