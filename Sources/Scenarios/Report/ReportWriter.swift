import Foundation

/// Writes a report directory: `report.json`, `report.md`, SVG charts and `.hgrm` files.
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

    /// Writes everything; returns the files written (relative names).
    @discardableResult
    public static func write(_ report: Report, histograms: [Int: [String: LatencyHistogram]], to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        try writeJSON(report, to: directory + "/report.json")
        written.append("report.json")
        let histogramDirectory = directory + "/histograms"
        try FileManager.default.createDirectory(atPath: histogramDirectory, withIntermediateDirectories: true)
        for cell in report.cells {
            for (operation, histogram) in (histograms[cell.id] ?? [:]).sorted(by: { $0.key < $1.key }) where histogram.count > 0 {
                let name = "histograms/\(hgrmName(cell: cell, operation: operation))"
                try histogram.percentileDistribution().write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
                written.append(name)
            }
        }
        let charts = ReportCharts.make(report: report, histograms: histograms)
        for (name, svg) in charts {
            try svg.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            written.append(name)
        }
        try MarkdownReport.render(report, charts: Array(charts.keys)).write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        written.append("report.md")
        return written
    }

    /// `cell-03-create_request.hgrm` (values in milliseconds).
    public static func hgrmName(cell: CellReport, operation: String) -> String {
        String(format: "cell-%02d-", cell.id) + operation + ".hgrm"
    }
}
