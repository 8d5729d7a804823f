import Foundation

/// `report.md`: the summary first (best configuration and why, trust warnings), then tables.
enum MarkdownReport {
    /// The cell table's "trustworthy" column.
    static func trustColumn(_ trust: EngineHealth.Trust) -> String {
        switch trust {
        case .trustworthy: "yes"
        case .upperBounds: "upper bound"
        case .untrustworthy: "**no**"
        }
    }

    static func render(_ report: Report, charts: [String]) -> String {
        var lines: [String] = []
        lines.append("# \(report.name) — \(report.scenario)")
        lines.append("")
        lines.append("\(report.createdAt) · \(report.machine.summary)")
        lines.append("")
        if let provenance = report.provenance {
            lines.append("Provenance: \(provenance.summary).")
            if let warning = provenance.warning {
                lines.append("")
                lines.append("⚠️ **\(warning)** (run with `--allow-stale`).")
            }
            lines.append("")
        }
        if let seed = report.shuffleSeed {
            lines.append("Cells ran in a shuffled order (seed \(seed)); each had its own PostgreSQL database and Redis key prefix.")
            lines.append("")
        }
        lines += CapacityMarkdown.summary(report)
        if let search = report.cells.compactMap(\.capacity).first?.search {
            lines.append(
                "Offered load: a capacity search per cell — \(report.load.arrival.rawValue) arrivals from \(formatNumber(search.startRate))/s, ×\(formatNumber(search.growth)) per \(formatNumber(search.stepSeconds)) s step, then \(search.refine) bisection steps; \(formatNumber(report.load.warmup)) s warm-up. Per-cell figures below are those of its capacity step. Latency counts from each operation's *scheduled* start (open loop, no coordinated omission)."
            )
        } else {
            lines.append(
                "Offered load: \(formatNumber(report.load.rate))/s \(report.load.arrival.rawValue) arrivals, \(formatNumber(report.load.warmup)) s warm-up, \(formatNumber(report.load.duration)) s measured. Latency counts from each operation's *scheduled* start (open loop, no coordinated omission)."
            )
        }
        lines.append("")
        lines.append("## Summary")
        lines.append("")
        if let best = report.best {
            lines.append(
                "**Best configuration: `\(best.label)`** — \(best.reason); p\(formatNumber(report.selection.percentile)) \(formatMillis(best.latencyMs))."
            )
            if report.cells.contains(where: { best.cellIDs.contains($0.id) && $0.trust == .untrustworthy }) {
                lines.append("")
                lines.append("(Its measurement is not trustworthy — see below; rerun on a quieter machine before acting on it.)")
            }
        } else if report.cells.allSatisfy({ $0.failure != nil }) {
            lines.append("**No cell produced a measurement** — see the failures below.")
        } else {
            lines.append("**No configuration met the budget** (\(report.selection.description)).")
        }
        lines.append("")
        let effects = axisEffects(report)
        if !effects.isEmpty {
            lines.append(
                "What each axis does (p99 of `\(report.cells.first?.primaryOperation ?? "")` and achieved rate, averaged over the other axes):"
            )
            lines.append("")
            lines += effects.map { "- " + $0 }
            lines.append("")
        }
        let bounded = report.cells.filter { $0.failure == nil && $0.trust == .upperBounds }
        if !bounded.isEmpty {
            lines.append(
                "ⓘ **\(bounded.count) cell(s) report latencies that are upper bounds** — the load generator started some operations "
                    + "late; latency counts from the scheduled start, so the server's own latencies can only be lower:"
            )
            for cell in bounded {
                lines.append("- `\(ReportCharts.cellName(cell))`: " + (cell.engine?.reasons.joined(separator: "; ") ?? "no engine data"))
            }
            lines.append("")
        }
        let untrusted = report.cells.filter { $0.failure == nil && $0.trust == .untrustworthy }
        if !untrusted.isEmpty {
            lines.append("⚠️ **\(untrusted.count) cell(s) are not trustworthy** — the load generator could not keep its schedule:")
            for cell in untrusted {
                lines.append("- `\(ReportCharts.cellName(cell))`: " + (cell.engine?.reasons.joined(separator: "; ") ?? "no engine data"))
            }
            lines.append("")
        }
        let failedChecks = report.cells.flatMap { cell in cell.checks.filter { !$0.value }.map { "`\(ReportCharts.cellName(cell))`: \($0.key)" } }
        if !failedChecks.isEmpty {
            lines.append("❌ **Correctness checks failed:** " + failedChecks.joined(separator: ", "))
            lines.append("")
        }
        for cell in report.cells where cell.failure != nil {
            lines.append("- cell `\(ReportCharts.cellName(cell))` failed: \(cell.failure ?? "")")
        }
        lines.append("")
        lines.append("## Cells")
        lines.append("")
        lines.append("| cell | offered/s | achieved/s | p50 | p90 | p99 | p99.9 | max | error rate | trustworthy |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for cell in report.cells {
            let stats = cell.primary
            let marker = report.best?.cellIDs.contains(cell.id) == true ? " ★" : ""
            lines.append(
                "| \(ReportCharts.cellName(cell))\(marker) | \(formatNumber(cell.offeredRate)) | \(String(format: "%.1f", cell.achievedRate)) | "
                    + [stats?.p50Ms, stats?.p90Ms, stats?.p99Ms, stats?.p999Ms, stats?.maxMs].map { $0.map(formatMillis) ?? "—" }.joined(
                        separator: " | "
                    )
                    + " | \(String(format: "%.2f%%", cell.errorRate * 100)) | \(cell.failure != nil ? "failed" : trustColumn(cell.trust)) |"
            )
        }
        lines.append("")
        lines.append("Latencies are of `\(report.cells.first?.primaryOperation ?? "")`.")
        lines.append("")
        lines += FaultsMarkdown.section(report)
        lines.append("## Operations per cell")
        for cell in report.cells where cell.failure == nil {
            lines.append("")
            lines.append("### \(ReportCharts.cellName(cell))")
            lines.append("")
            lines += CapacityMarkdown.steps(cell)
            lines.append("| operation | count | errors | p50 | p90 | p99 | p99.9 | max | p99 all outcomes | max all outcomes |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for (name, stats) in cell.operations.sorted(by: { $0.key < $1.key }) {
                let all = cell.allOutcomes[name]
                lines.append(
                    "| \(name) | \(stats.count) | \(stats.errors) | "
                        + [stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.p999Ms, stats.maxMs].map(formatMillis).joined(separator: " | ")
                        + " | \(all.map { formatMillis($0.p99Ms) } ?? "—") | \(all.map { formatMillis($0.maxMs) } ?? "—") |"
                )
            }
            if !cell.errors.isEmpty {
                lines.append("")
                lines.append("Errors by code: " + cell.errors.sorted { $0.key < $1.key }.map { "`\($0.key)` \($0.value)" }.joined(separator: ", "))
            }
            if !cell.counters.isEmpty {
                lines.append("")
                lines.append("Counters: " + cell.counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            if !cell.checks.isEmpty {
                lines.append("")
                lines.append("Checks: " + cell.checks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value ? "✅" : "❌")" }.joined(separator: ", "))
            }
            if let engine = cell.engine {
                lines.append("")
                lines.append(
                    "Load generator: \(engine.scheduled) scheduled, \(engine.dropped) dropped, dispatch delay p99 \(formatMillis(engine.dispatchDelayP99Ms)) (max \(formatMillis(engine.dispatchDelayMaxMs))), CPU \(Int((engine.cpuUtilisation * 100).rounded()))% of \(engine.cores) cores."
                )
            }
            if let metrics = cell.serverMetrics {
                lines.append(contentsOf: serverMetricLines(metrics))
            }
            if let instances = cell.instances, !instances.isEmpty {
                lines.append("")
                lines.append(
                    "Per instance over the whole cell (HTTP requests / transitions / WebSocket deliveries): "
                        + instances.map {
                            "#\($0.index) \(formatNumber($0.httpRequests)) / \(formatNumber($0.transitions)) / \(formatNumber($0.wsDeliveries))"
                        }.joined(separator: ", ")
                )
            }
            for note in cell.notes {
                lines.append("")
                lines.append("Note: \(note)")
            }
        }
        if !report.variability.isEmpty {
            lines.append("")
            lines.append("## Run-to-run spread (p99, (max − min) / median across repeats)")
            lines.append("")
            for (label, byOperation) in report.variability.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    "- `\(label)`: "
                        + byOperation.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", ")
                )
            }
        }
        if !charts.isEmpty {
            lines.append("")
            lines.append("## Charts")
            lines.append("")
            for chart in charts.sorted() where !chart.hasPrefix("timeline/") { lines.append("![\(chart)](\(chart))") }
            let timelines = charts.filter { $0.hasPrefix("timeline/") }.sorted()
            if !timelines.isEmpty {
                lines.append("")
                lines.append(
                    "Latency over time per cell (from the `.hlog` interval logs): "
                        + timelines.map { "[\($0.dropFirst("timeline/".count).dropLast(4))](\($0))" }.joined(separator: " · ")
                )
            }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// One line per axis: each value's mean p99 and achieved rate over the cells that have it.
    static func axisEffects(_ report: Report) -> [String] {
        let cells = report.cells.filter { $0.failure == nil }
        guard let first = cells.first else { return [] }
        let paths = Set(cells.flatMap { $0.axes.keys }).sorted()
        var result: [String] = []
        for path in paths {
            let groups = Dictionary(grouping: cells) { $0.axes[path]?.description ?? "—" }
            guard groups.count > 1 else { continue }
            let ordered = groups.keys.sorted { a, b in
                if let x = Double(a), let y = Double(b) { return x < y }
                return a < b
            }
            let parts = ordered.map { value -> String in
                let group = groups[value] ?? []
                let p99 = group.compactMap { $0.operations[first.primaryOperation]?.p99Ms }
                let rate = group.map(\.achievedRate)
                let meanP99 = p99.isEmpty ? 0 : p99.reduce(0, +) / Double(p99.count)
                return "\(value) \(formatMillis(meanP99)) @ \(String(format: "%.1f", rate.reduce(0, +) / Double(max(rate.count, 1))))/s"
            }
            result.append("`\(path)`: " + parts.joined(separator: " · "))
        }
        return result
    }

    static func serverMetricLines(_ metrics: ServerMetrics) -> [String] {
        var lines: [String] = [""]
        if let error = metrics.scrapeError {
            lines.append("Server metrics: scrape failed (\(error)).")
            return lines
        }
        var parts: [String] = []
        if let acquire = metrics.poolAcquireMeanMs { parts.append("pool acquire wait mean \(formatMillis(acquire))") }
        if let pending = metrics.gaugeMax(prefix: "db_pool_pending_requests") { parts.append("pool pending max \(formatNumber(pending))") }
        if let depth = metrics.gaugeMax(prefix: "queue_depth", excluding: "state=\"dead\"") {
            parts.append("queue depth max \(formatNumber(depth)) (waiting/delayed/active)")
        }
        let dead = metrics.gaugeGrowth(prefix: "queue_depth", containing: "state=\"dead\"")
        if dead != 0 { parts.append("dead letters \(dead > 0 ? "+" : "")\(formatNumber(dead))") }
        if let lag = metrics.gaugeMax(prefix: "db_replica_lag_seconds") { parts.append("replica lag max \(formatMillis(lag * 1000))") }
        if let heap = metrics.gauges["process_heap_allocated_bytes"] {
            parts.append("heap allocated \(formatNumber(heap.before / 1_048_576)) → \(formatNumber(heap.after / 1_048_576)) MiB")
        }
        if let resident = metrics.gauges["process_heap_resident_bytes"] {
            parts.append("resident \(formatNumber(resident.after / 1_048_576)) MiB")
        }
        lines.append("Server metrics: " + (parts.isEmpty ? "none of the watched metrics were exposed." : parts.joined(separator: ", ") + "."))
        let routes = metrics.histograms.filter { $0.key.hasPrefix("http_server_request_duration_seconds") }
            .sorted { $0.value.count > $1.value.count }.prefix(8)
        if !routes.isEmpty {
            lines.append("")
            lines.append("| server route | count | mean | p99 (buckets) |")
            lines.append("|---|---:|---:|---:|")
            for (series, delta) in routes {
                let name = series.replacingOccurrences(of: "http_server_request_duration_seconds", with: "")
                lines.append("| `\(name)` | \(Int(delta.count)) | \(formatMillis(delta.meanMs)) | \(delta.p99Ms.map(formatMillis) ?? "—") |")
            }
        }
        return lines
    }
}
