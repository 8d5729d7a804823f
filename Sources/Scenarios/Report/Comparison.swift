import Foundation

/// Per-operation deltas between two reports, flagged when beyond run-to-run noise.
///
/// Cells are matched by label (repeats averaged). The noise band of an operation is the larger
/// of the spreads both reports recorded for it (`variability`), or `defaultNoise` (10%).
public struct Comparison: Sendable {
    public struct Row: Sendable {
        public var cell: String
        public var operation: String
        public var metric: String
        public var before: Double
        public var after: Double
        public var noise: Double
        public var relativeChange: Double { before > 0 ? (after - before) / before : (after > 0 ? .infinity : 0) }
        public var verdict: String {
            if abs(relativeChange) <= noise { return "" }
            if metric == "rate/s" { return relativeChange > 0 ? "better" : "REGRESSION" }
            return relativeChange > 0 ? "REGRESSION" : "better"
        }
    }

    public var rows: [Row]
    public var unmatched: [String]

    public static let defaultNoise = 0.10

    public init(baseline: Report, candidate: Report, defaultNoise: Double = Comparison.defaultNoise) {
        var rows: [Row] = []
        var unmatched: [String] = []
        let before = Dictionary(grouping: baseline.cells.filter { $0.failure == nil }, by: \.label)
        let after = Dictionary(grouping: candidate.cells.filter { $0.failure == nil }, by: \.label)
        for label in Set(before.keys).union(after.keys).sorted() {
            guard let old = before[label], let new = after[label] else {
                unmatched.append(label)
                continue
            }
            let noiseOf = { (operation: String) in
                max(baseline.variability[label]?[operation] ?? 0, candidate.variability[label]?[operation] ?? 0, defaultNoise)
            }
            rows.append(Row(cell: label, operation: old[0].primaryOperation, metric: "rate/s", before: Self.mean(old.map(\.achievedRate)), after: Self.mean(new.map(\.achievedRate)), noise: defaultNoise))
            let operations = Set(old.flatMap { $0.operations.keys }).intersection(new.flatMap { $0.operations.keys })
            for operation in operations.sorted() {
                for (metric, path) in [("p50", \OperationStats.p50Ms), ("p99", \OperationStats.p99Ms)] {
                    let a = Self.mean(old.compactMap { $0.operations[operation]?[keyPath: path] })
                    let b = Self.mean(new.compactMap { $0.operations[operation]?[keyPath: path] })
                    rows.append(Row(cell: label, operation: operation, metric: metric, before: a, after: b, noise: noiseOf(operation)))
                }
            }
        }
        self.rows = rows
        self.unmatched = unmatched
    }

    public var regressions: [Row] { rows.filter { $0.verdict == "REGRESSION" } }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    public func table() -> String {
        let header = ["cell", "operation", "metric", "A", "B", "change", "noise", "flag"]
        let body: [[String]] = rows.map { row in
            let isRate = row.metric == "rate/s"
            let before = isRate ? String(format: "%.2f", row.before) : formatMillis(row.before)
            let after = isRate ? String(format: "%.2f", row.after) : formatMillis(row.after)
            let change = row.relativeChange.isFinite ? String(format: "%+.1f%%", row.relativeChange * 100) : "new"
            let noise = String(format: "±%.0f%%", row.noise * 100)
            return [row.cell, row.operation, row.metric, before, after, change, noise, row.verdict]
        }
        let widths: [Int] = (0..<header.count).map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { pair in pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var lines = [line(header), line(widths.map { String(repeating: "-", count: $0) })] + body.map(line)
        if !unmatched.isEmpty { lines.append("cells in only one report: " + unmatched.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
