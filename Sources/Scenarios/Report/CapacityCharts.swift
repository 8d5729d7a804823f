import Foundation
import Profiler

/// The charts of capacity searches and time series: latency vs offered rate, capacity by pool
/// size per mode, and each cell's latency over time.
enum CapacityCharts {
    /// 25, 50, 100, … spanning the offered rates (doubling, like the log₂ axis).
    static func rateTicks(_ rates: [Double]) -> [Double]? {
        guard let low = rates.min(), let high = rates.max(), low > 0 else { return nil }
        var ticks: [Double] = []
        var tick = low
        while tick <= high * 1.001 {
            ticks.append(tick.rounded())
            tick *= 2
        }
        if let last = ticks.last, high > last * 1.3 { ticks.append(high.rounded()) }
        return ticks
    }

    /// Each fault's start and end, on the timeline's axis (seconds since the cell started).
    static func faultMarkers(_ cell: CellReport) -> [Charts.Marker] {
        guard let faults = cell.faults else { return [] }
        return faults.results.flatMap { result -> [Charts.Marker] in
            let start = faults.measureStartOffset + result.event.started
            let end = faults.measureStartOffset + result.event.ended
            guard result.event.spec.kind.lasts else { return [Charts.Marker(x: start, label: result.event.spec.kind.rawValue)] }
            return [
                Charts.Marker(x: start, label: "\(result.event.spec.kind.rawValue) start"),
                Charts.Marker(x: end, label: "end", color: "#27ae60"),
            ]
        }
    }

    static func make(report: Report, intervals: [Int: [IntervalSlice]]) -> [String: String] {
        var charts: [String: String] = [:]
        let cells = report.cells.filter { $0.failure == nil }
        let searched = cells.filter { $0.capacity != nil }
        if let search = searched.first?.capacity?.search {
            let operation = search.operation
            charts["latency-vs-offered-rate.svg"] = Charts.lines(
                title: "\(operation) p99 (all outcomes) vs offered rate, one line per configuration",
                xLabel: "offered rate (/s)",
                yLabel: "p99 (ms)",
                series: searched.map { cell in
                    Charts.Series(
                        name: ReportCharts.cellName(cell),
                        points: (cell.capacity?.steps ?? []).compactMap { step in
                            step.stats(operation).map { (step.offeredRate, $0.p99Ms) }
                        }
                    )
                },
                reference: (label: "SLO \(formatMillis(search.p99Ms))", value: search.p99Ms),
                logY: true,
                xTicks: rateTicks(searched.flatMap { $0.capacity?.steps.map(\.offeredRate) ?? [] })
            )
            if let poolAxis = CellReport.poolAxis(of: searched[0]) {
                let groups = Dictionary(grouping: searched) { cell in
                    cell.axes.filter { $0.key != poolAxis }.sorted { $0.key < $1.key }
                        .map { "\(ReportCharts.shortName($0.key))=\($0.value)" }.joined(separator: " ")
                }
                let keys = groups.keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
                let pools = Array(Set(searched.compactMap { $0.axes[poolAxis]?.doubleValue })).sorted()
                charts["capacity-by-pool-size.svg"] = Charts.lines(
                    title: "Capacity (\(operation)/s within \(search.description)) by \(ReportCharts.shortName(poolAxis))",
                    xLabel: poolAxis,
                    yLabel: "capacity (\(operation)/s)",
                    series: keys.map { key in
                        let byPool = Dictionary(grouping: groups[key] ?? []) { $0.axes[poolAxis]?.doubleValue ?? 0 }
                        return Charts.Series(
                            name: key.isEmpty ? "all" : key,
                            points: byPool.keys.sorted().compactMap { pool in
                                let rates = (byPool[pool] ?? []).compactMap { $0.capacity?.rate }
                                return rates.isEmpty ? nil : (pool, rates.reduce(0, +) / Double(rates.count))
                            }
                        )
                    },
                    xTicks: pools
                )
            }
        }
        for cell in cells {
            guard let slices = intervals[cell.id], !slices.isEmpty else { continue }
            let operation = cell.capacity?.search.operation ?? cell.primaryOperation
            let points = slices.compactMap { slice -> (Double, LatencyHistogram)? in
                guard let histogram = slice.histograms[operation], histogram.count > 0 else { return nil }
                return (slice.end, histogram)
            }
            guard !points.isEmpty else { continue }
            let end = points.map(\.0).max() ?? 1
            let step = [1.0, 2, 5, 10, 15, 30, 60, 120, 300].first { end / $0 <= 10 } ?? 600
            let ticks = stride(from: 0.0, through: end, by: step).map { $0 }
            var series = [
                Charts.Series(name: "p50", points: points.map { ($0.0, $0.1.percentileMillis(50)) }),
                Charts.Series(name: "p99", points: points.map { ($0.0, $0.1.percentileMillis(99)) }),
                Charts.Series(name: "max", points: points.map { ($0.0, $0.1.maxMillis) }),
            ]
            if cell.capacity != nil {
                // The offered rate as a step line (right-hand meaning in the legend).
                series.append(Charts.Series(name: "offered/s", points: slices.compactMap { s in s.offeredRate.map { (s.end, $0) } }))
            }
            charts[String(format: "timeline/cell-%02d.svg", cell.id)] = Charts.lines(
                title: "\(ReportCharts.cellName(cell)): \(operation) latency per second (all outcomes)",
                xLabel: "seconds since the cell started",
                yLabel: "latency (ms) · offered/s",
                series: series,
                logY: true,
                xTicks: ticks,
                linearX: true,
                markers: faultMarkers(cell)
            )
        }
        return charts
    }
}
