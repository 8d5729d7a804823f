/// The capacity parts of `report.md`: the knee per mode on the first screen, a capacity table,
/// and each cell's steps.
enum CapacityMarkdown {
    static func summary(_ report: Report) -> [String] {
        let searched = report.cells.filter { $0.failure == nil && $0.capacity != nil }
        guard let search = searched.first?.capacity?.search else { return [] }
        var lines = ["## Knee", ""]
        lines.append(
            "Capacity = the highest offered rate whose step met \(search.description) with a trustworthy load engine (docs/lab.md, \"Capacity search\"). The knee is the smallest pool size within 5% of the best capacity."
        )
        lines.append("")
        for knee in report.knees ?? [] {
            lines.append("- **\(knee.group.isEmpty ? "all cells" : knee.group)** — \(knee.sentence).")
        }
        if (report.knees ?? []).isEmpty { lines.append("- No pool-size axis, or no cell met the SLO at its first step.") }
        lines.append("")
        lines.append("| cell | capacity /s | limited by | why | steps |")
        lines.append("|---|---:|---|---|---:|")
        for cell in searched {
            guard let capacity = cell.capacity else { continue }
            lines.append(
                "| \(ReportCharts.cellName(cell)) | \(capacity.rate.map { Knee.grouped($0) } ?? "none") | \(capacity.limitedBy) | \(capacity.evidence) | \(capacity.steps.count) |"
            )
        }
        if let spread = report.capacitySpread, !spread.isEmpty {
            lines.append("")
            lines.append(
                "Run-to-run spread of capacity: "
                    + spread.sorted { $0.key < $1.key }.map { label, rates in
                        let sorted = rates.sorted()
                        let median = sorted[sorted.count / 2]
                        let relative = median > 0 ? ((sorted.last ?? 0) - (sorted.first ?? 0)) / median : 0
                        return "`\(label)` " + sorted.map { Knee.grouped($0) }.joined(separator: ", ")
                            + " (±\(Int((relative * 50).rounded()))% around the median)"
                    }.joined(separator: "; ")
            )
        }
        for cell in report.cells where cell.failure != nil {
            lines.append("- cell `\(ReportCharts.cellName(cell))` failed: \(cell.failure ?? "")")
        }
        lines.append("")
        return lines
    }

    static func steps(_ cell: CellReport) -> [String] {
        guard let capacity = cell.capacity else { return [] }
        let operation = capacity.search.operation
        var lines = [
            "Capacity search on `\(operation)` (\(capacity.search.description)): **\(capacity.rate.map { Knee.grouped($0) + "/s" } ?? "none")**, limited by **\(capacity.limitedBy)** — \(capacity.evidence).",
            "",
            "| step | offered/s | achieved/s | p50 | p90 | p99 | p99.9 | errors | server p99 | acquire p99 | CPU (server/pg/redis/engine) | verdict |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for (index, step) in capacity.steps.enumerated() {
            let stats = step.stats(operation)
            let cells = [stats?.p50Ms, stats?.p90Ms, stats?.p99Ms, stats?.p999Ms].map { $0.map(formatMillis) ?? "—" }
            let route = step.server?.routeLatency(of: operation)?.p99Ms.map(formatMillis) ?? "—"
            let acquire = step.server?.poolAcquire("primary")?.p99Ms.map(formatMillis) ?? "—"
            var cpu = "—"
            if let usage = step.resources {
                cpu = ["server", "postgres", "redis", "engine"].map { String(format: "%.2f", usage.coresUsed[$0] ?? 0) }.joined(separator: "/")
            }
            lines.append(
                "| \(index + 1) \(step.phase) | \(formatNumber(step.offeredRate)) | \(String(format: "%.1f", step.achievedRate)) | "
                    + cells.joined(separator: " | ")
                    + " | \(String(format: "%.2f%%", step.errorRate * 100)) | \(route) | \(acquire) | \(cpu) | \(step.met ? "✅" : "❌ " + step.verdict) |"
            )
        }
        lines.append("")
        lines.append("Latencies are all outcomes (errors and timeouts with the time they took); server figures are for the same window.")
        lines.append("")
        return lines
    }
}
