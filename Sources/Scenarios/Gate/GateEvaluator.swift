/// Checks a report's cells against a budget: one row per (cell, threshold).
public struct GateEvaluator: Sendable {
    public struct Row: Sendable {
        public var cell: String
        public var key: String
        public var threshold: String
        /// nil when the metric was not measured (which counts as a breach).
        public var measured: Double?
        public var unit: String
        public var passed: Bool

        public var measuredText: String {
            guard let measured else { return "not measured" }
            switch unit {
            case "ms": return formatMillis(measured)
            case "/s": return String(format: "%.2f/s", measured)
            case "ratio": return String(format: "%.3f%%", measured * 100)
            default: return formatNumber(measured)
            }
        }
    }

    public var thresholds: [(key: String, threshold: Threshold)]

    public init(budget: Budget) throws {
        thresholds = try budget.parsedThresholds()
    }

    public init(thresholds: [(key: String, threshold: Threshold)]) {
        self.thresholds = thresholds
    }

    /// - Parameter histograms: when present, any percentile is read from them; otherwise only
    ///   the ones a report stores (50, 90, 99, 99.9, 100).
    public func evaluate(cells: [CellReport], histograms: [Int: [String: LatencyHistogram]] = [:]) -> [Row] {
        var rows: [Row] = []
        for cell in cells {
            for (key, threshold) in thresholds {
                let (measured, unit) = value(key: key, threshold: threshold, cell: cell, histogram: histograms[cell.id]?[key])
                let passed = cell.failure == nil && measured.map(threshold.holds) == true
                rows.append(Row(cell: ReportCharts.cellName(cell), key: key, threshold: threshold.source, measured: measured, unit: unit, passed: passed))
            }
        }
        return rows
    }

    func value(key: String, threshold: Threshold, cell: CellReport, histogram: LatencyHistogram?) -> (Double?, String) {
        switch key {
        case "errors":
            switch threshold.metric {
            case .rate: return (cell.errorRate, "ratio")
            case .count: return (Double(cell.errors.values.reduce(0, +)), "")
            default: return (nil, "")
            }
        case "throughput":
            return threshold.metric == .rate ? (cell.achievedRate, "/s") : (nil, "")
        case "checks":
            guard threshold.metric == .rate else { return (nil, "") }
            guard !cell.checks.isEmpty else { return (1, "ratio") }
            return (Double(cell.checks.values.filter { $0 }.count) / Double(cell.checks.count), "ratio")
        default:
            if key.hasPrefix("counters.") {
                let name = String(key.dropFirst("counters.".count))
                return threshold.metric == .count ? (Double(cell.counters[name] ?? 0), "") : (nil, "")
            }
            guard let stats = cell.operations[key] else { return (nil, "ms") }
            switch threshold.metric {
            case .percentile(let p):
                if let histogram, histogram.count > 0 { return (histogram.percentileMillis(p), "ms") }
                return (stats.value(atPercentile: p), "ms")
            case .mean: return (stats.meanMs, "ms")
            case .max: return (stats.maxMs, "ms")
            case .count: return (Double(stats.count), "")
            case .rate: return (cell.measuredSeconds > 0 ? Double(stats.count) / max(cell.measuredSeconds, cell.load.duration) : 0, "/s")
            }
        }
    }

    /// 0 every threshold passed, 1 a threshold was breached, 2 nothing could be measured.
    public static func exitCode(rows: [Row], cells: [CellReport]) -> Int32 {
        if cells.isEmpty || cells.allSatisfy({ $0.failure != nil }) { return 2 }
        return rows.allSatisfy(\.passed) ? 0 : 1
    }

    /// A fixed-width table: cell, key, budget, measured, result.
    public static func table(_ rows: [Row]) -> String {
        let header = ["cell", "metric", "budget", "measured", "result"]
        let body = rows.map { [$0.cell, $0.key, $0.threshold, $0.measuredText, $0.passed ? "pass" : "BREACH"] }
        let widths = (0..<header.count).map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + body.map(line)).joined(separator: "\n")
    }
}

import Foundation
