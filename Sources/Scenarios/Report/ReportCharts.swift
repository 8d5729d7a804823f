import Foundation
import Profiler

/// Which charts a report gets, built from its cells: file name → SVG text.
enum ReportCharts {
    static func make(report: Report, histograms: [Int: [String: LatencyHistogram]], intervals: [Int: [IntervalSlice]] = [:]) -> [String: String] {
        let cells = report.cells.filter { $0.failure == nil }
        guard !cells.isEmpty else { return [:] }
        var charts = CapacityCharts.make(report: report, intervals: intervals)
        let primary = cells[0].primaryOperation
        let rule = report.selection
        let budget =
            rule.operation == primary && rule.percentile == 99 ? (label: "budget \(formatMillis(rule.ceilingMs))", value: rule.ceilingMs) : nil
        // Latency percentiles per configuration (primary operation).
        charts["latency-by-config.svg"] = Charts.groupedBars(
            title: "\(primary) latency by configuration (\(report.scenario), \(formatNumber(report.load.rate))/s offered)",
            yLabel: "latency (ms)",
            categories: cells.map { cellName($0) },
            series: [
                ("p50", cells.map { $0.operations[primary]?.p50Ms ?? 0 }),
                ("p90", cells.map { $0.operations[primary]?.p90Ms ?? 0 }),
                ("p99", cells.map { $0.operations[primary]?.p99Ms ?? 0 }),
                ("p99.9", cells.map { $0.operations[primary]?.p999Ms ?? 0 }),
            ],
            reference: budget
        )
        // Every operation's p99 per configuration.
        let operations = Array(Set(cells.flatMap { $0.operations.keys })).sorted()
        charts["p99-by-operation.svg"] = Charts.groupedBars(
            title: "p99 latency of every operation by configuration",
            yLabel: "p99 (ms)",
            categories: operations,
            series: cells.map { cell in (cellName(cell), operations.map { cell.operations[$0]?.p99Ms ?? 0 }) }
        )
        if let poolAxis = CellReport.poolAxis(of: cells[0]) {
            let groups = Dictionary(grouping: cells) { cell in
                cell.axes.filter { $0.key != poolAxis }.sorted { $0.key < $1.key }.map { "\(shortName($0.key))=\($0.value)" }.joined(separator: " ")
            }
            let keys = groups.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            func series(_ value: (CellReport) -> Double?) -> [Charts.Series] {
                keys.map { key in
                    Charts.Series(
                        name: key.isEmpty ? "all" : key,
                        points: (groups[key] ?? []).compactMap { cell in
                            guard let x = cell.axes[poolAxis]?.doubleValue, let y = value(cell) else { return nil }
                            return (x, y)
                        }
                    )
                }
            }
            charts["throughput-vs-pool.svg"] = Charts.lines(
                title: "Achieved throughput vs \(poolAxis)",
                xLabel: poolAxis,
                yLabel: "\(primary) per second",
                series: series { $0.achievedRate }
            )
            charts["p99-vs-pool.svg"] = Charts.lines(
                title: "\(primary) p99 vs \(poolAxis)",
                xLabel: poolAxis,
                yLabel: "p99 (ms)",
                series: series { $0.operations[primary]?.p99Ms },
                reference: budget
            )
            charts["pool-acquire-wait-vs-pool.svg"] = Charts.lines(
                title: "Server pool acquire wait (mean) vs \(poolAxis)",
                xLabel: poolAxis,
                yLabel: "acquire wait (ms)",
                series: series { $0.serverMetrics?.poolAcquireMeanMs }
            )
        }
        if let modeAxis = cells[0].axes.keys.first(where: { $0.hasSuffix("sideEffects.mode") || $0 == "sideEffects.mode" }) {
            let others = Dictionary(grouping: cells) { cell in
                cell.axes.filter { $0.key != modeAxis }.sorted { $0.key < $1.key }.map { "\(shortName($0.key))=\($0.value)" }.joined(separator: " ")
            }
            let categories = others.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            let modes = Array(Set(cells.compactMap { $0.axes[modeAxis]?.description })).sorted()
            func meanP99(_ cells: [CellReport], _ operation: String) -> Double {
                let values = cells.compactMap { $0.operations[operation]?.p99Ms }
                return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            }
            if categories.count == 1 {
                // Only the mode varies: compare every operation.
                let operations = Array(Set(cells.flatMap { $0.operations.keys })).sorted()
                charts["sync-vs-queued.svg"] = Charts.groupedBars(
                    title: "p99 per operation: side effects \(modes.joined(separator: " vs "))",
                    yLabel: "p99 (ms)",
                    categories: operations,
                    series: modes.map { mode in
                        (mode, operations.map { meanP99(cells.filter { $0.axes[modeAxis]?.description == mode }, $0) })
                    },
                    reference: budget
                )
            } else {
                charts["sync-vs-queued.svg"] = Charts.groupedBars(
                    title: "\(primary) p99: side effects \(modes.joined(separator: " vs "))",
                    yLabel: "p99 (ms)",
                    categories: categories,
                    series: modes.map { mode in
                        (mode, categories.map { key in meanP99((others[key] ?? []).filter { $0.axes[modeAxis]?.description == mode }, primary) })
                    },
                    reference: budget
                )
            }
        }
        // At most 8 lines stay readable: with more cells, plot 8 spread evenly by p99 (best to worst).
        let plotted = cells.filter { (histograms[$0.id]?[primary]?.count ?? 0) > 0 }
            .sorted { ($0.operations[primary]?.p99Ms ?? 0) < ($1.operations[primary]?.p99Ms ?? 0) }
        let chosen = plotted.count <= 8 ? plotted : (0..<8).map { plotted[$0 * (plotted.count - 1) / 7] }
        let distributions = chosen.compactMap { cell -> (name: String, points: [(percentile: Double, millis: Double)])? in
            guard let histogram = histograms[cell.id]?[primary] else { return nil }
            return (cellName(cell), histogram.distributionPoints())
        }
        if !distributions.isEmpty {
            let subset = plotted.count > chosen.count ? " (\(chosen.count) of \(plotted.count) configurations, best to worst p99)" : ""
            charts["latency-distribution.svg"] = Charts.distribution(title: "\(primary) latency by percentile\(subset)", series: distributions)
        }
        return charts
    }

    static func cellName(_ cell: CellReport) -> String {
        cell.displayName
    }

    static func shortName(_ path: String) -> String {
        Topology.labelName(path) ?? path.split(separator: ".").last.map(String.init) ?? path
    }
}
