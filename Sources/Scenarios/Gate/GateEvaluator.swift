import Foundation
import Profiler

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
        /// Whether the verdict stands although the cell's latencies are only upper bounds
        /// (``EngineHealth/Trust/upperBounds``): the server's own latency lies between the
        /// measured one less the engine's largest dispatch delay and the measured one, and the
        /// threshold gives the same verdict across that whole range. Always true for
        /// trustworthy cells and for figures that are not latencies.
        public var decided: Bool = true

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

    /// - Parameter histograms: all-outcomes histograms; when present, any percentile is read
    ///   from them; otherwise only the ones a report stores (50, 90, 99, 99.9, 100).
    public func evaluate(cells: [CellReport], histograms: [Int: [String: LatencyHistogram]] = [:]) -> [Row] {
        var rows: [Row] = []
        for cell in cells {
            for (key, threshold) in thresholds {
                let (measured, unit) = value(key: key, threshold: threshold, cell: cell, histogram: histograms[cell.id]?[key])
                let passed = cell.failure == nil && measured.map(threshold.holds) == true
                var row = Row(
                    cell: ReportCharts.cellName(cell),
                    key: key,
                    threshold: threshold.source,
                    measured: measured,
                    unit: unit,
                    passed: passed
                )
                if cell.trust == .upperBounds, threshold.isLatency, let measured {
                    let lowest = max(0, measured - (cell.engine?.dispatchDelayMaxMs ?? 0))
                    row.decided = threshold.holds(lowest) == threshold.holds(measured)
                }
                rows.append(row)
            }
            if let row = Self.lossRow(cell) { rows.append(row) }
        }
        return rows
    }

    /// Every cell that ran a loss check (runs with faults) must have lost nothing, whatever
    /// the budget says: acknowledged work that never arrived is a correctness failure.
    static func lossRow(_ cell: CellReport) -> Row? {
        guard let faults = cell.faults else { return nil }
        let loss = faults.loss.map { Double($0.loss) }
        return Row(
            cell: ReportCharts.cellName(cell),
            key: "loss",
            threshold: "= 0 (always)",
            measured: loss,
            unit: "",
            passed: cell.failure == nil && loss == 0
        )
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
            // Latencies count every outcome (a timeout with the time it took), when recorded.
            let latency = cell.allOutcomes[key] ?? stats
            switch threshold.metric {
            case .percentile(let p):
                if let histogram, histogram.count > 0 { return (histogram.percentileMillis(p), "ms") }
                return (latency.value(atPercentile: p), "ms")
            case .mean: return (histogram.map(\.meanMillis) ?? latency.meanMs, "ms")
            case .max: return (histogram.map(\.maxMillis) ?? latency.maxMs, "ms")
            case .count: return (Double(stats.count), "")
            case .rate: return (cell.measuredSeconds > 0 ? Double(stats.count) / max(cell.measuredSeconds, cell.load.duration) : 0, "/s")
            }
        }
    }

    /// 0 every threshold passed, 1 a threshold was breached, 2 nothing could be measured or
    /// (unless `allowUntrustworthy`) a cell's measurement is not trustworthy. A cell whose
    /// latencies are upper bounds (the engine only started operations late) is judged when
    /// every row of it is ``Row/decided``; otherwise the run is inconclusive (2).
    public static func exitCode(rows: [Row], cells: [CellReport], allowUntrustworthy: Bool = false) -> Int32 {
        if cells.isEmpty || cells.allSatisfy({ $0.failure != nil }) { return 2 }
        if !allowUntrustworthy, inconclusiveReason(rows: rows, cells: cells) != nil { return 2 }
        return rows.allSatisfy(\.passed) ? 0 : 1
    }

    /// Why the run cannot be judged without `--allow-untrustworthy` (nil when it can): a cell
    /// that is not trustworthy, unless its latencies are upper bounds and each of its rows is
    /// decided despite them.
    public static func inconclusiveReason(rows: [Row], cells: [CellReport]) -> String? {
        for cell in cells where cell.failure == nil && cell.trust != .trustworthy {
            let reasons = (cell.engine?.reasons ?? []).joined(separator: "; ")
            guard cell.trust == .upperBounds else {
                return "\(cell.displayName): " + (reasons.isEmpty ? "no load-engine data" : reasons)
            }
            let name = ReportCharts.cellName(cell)
            if let row = rows.first(where: { $0.cell == name && !$0.decided }) {
                let late = formatMillis(cell.engine?.dispatchDelayMaxMs ?? 0)
                return "\(cell.displayName): \(row.key) \(row.threshold) measured \(row.measuredText) with operations started up to "
                    + "\(late) late, which can decide it either way (\(reasons))"
            }
        }
        return nil
    }

    /// Histograms of a report directory (from its `.hlog` interval logs), so any p(N) can be read.
    public static func histograms(fromReport directory: String, cells: [CellReport]) -> [Int: [String: LatencyHistogram]] {
        var result: [Int: [String: LatencyHistogram]] = [:]
        for cell in cells {
            let path = directory + "/histograms/" + ReportWriter.hlogName(cell: cell)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            result[cell.id] = IntervalLog.totals(text)
        }
        return result
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
