/// Where adding connections stops paying: per configuration group (every axis but the pool
/// size, e.g. `mode=queued`), the smallest pool size whose capacity is within 5 % of the
/// group's best, and why each end of the curve is limited.
public struct Knee: Codable, Sendable, Equatable {
    /// The other axes' values, e.g. `mode=sync routing=primary` (empty: no other axes).
    public var group: String
    public var poolSize: Double
    public var capacity: Double
    public var bestCapacity: Double
    public var bestPoolSize: Double
    public var limitedBy: String
    public var operation: String
    /// One sentence: "pool 4: PostgreSQL CPU at 1,380 claim/s; pool 1: pool wait".
    public var sentence: String

    public static let tolerance = 0.05

    public static func find(cells: [CellReport]) -> [Knee] {
        let searched = cells.filter { $0.failure == nil && $0.capacity != nil }
        guard let poolAxis = searched.first.flatMap(CellReport.poolAxis(of:)) else { return [] }
        let groups = Dictionary(grouping: searched) { cell in
            cell.axes.filter { $0.key != poolAxis }.sorted { $0.key < $1.key }
                .map { "\(ReportCharts.shortName($0.key))=\($0.value)" }.joined(separator: " ")
        }
        var knees: [Knee] = []
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            let byPool = Dictionary(grouping: members) { $0.axes[poolAxis]?.doubleValue ?? 0 }
            // Repeats: the mean capacity; the limit named by most repeats.
            let rows: [(pool: Double, capacity: Double, limitedBy: String)] = byPool.keys.sorted().map { pool in
                let group = byPool[pool] ?? []
                let rates = group.map { $0.capacity?.rate ?? 0 }
                let limits = Dictionary(grouping: group.compactMap { $0.capacity?.limitedBy }, by: { $0 })
                let limit = limits.max { $0.value.count < $1.value.count }?.key ?? "unknown"
                return (pool, rates.reduce(0, +) / Double(max(rates.count, 1)), limit)
            }
            let operation = members.first?.capacity?.search.operation ?? "operations"
            guard let best = rows.max(by: { $0.capacity < $1.capacity }), best.capacity > 0,
                let knee = rows.first(where: { $0.capacity >= best.capacity * (1 - tolerance) })
            else {
                // No pool size met the SLO: say so, with what stopped them.
                let limits = Dictionary(grouping: rows.map(\.limitedBy), by: { $0 }).sorted { $0.value.count > $1.value.count }
                let summary = limits.map { "\($0.key) ×\($0.value.count)" }.joined(separator: ", ")
                knees.append(
                    Knee(
                        group: group,
                        poolSize: 0,
                        capacity: 0,
                        bestCapacity: 0,
                        bestPoolSize: 0,
                        limitedBy: limits.first?.key ?? "unknown",
                        operation: operation,
                        sentence: "no pool size met the SLO with a trustworthy engine (limited by \(summary))"
                    )
                )
                continue
            }
            var sentence = "pool \(formatNumber(knee.pool)): \(knee.limitedBy) at \(grouped(knee.capacity)) \(operation)/s"
            if let smallest = rows.first, smallest.pool != knee.pool {
                sentence += "; pool \(formatNumber(smallest.pool)): \(smallest.limitedBy) at \(grouped(smallest.capacity))/s"
            }
            if best.pool != knee.pool {
                sentence += "; best pool \(formatNumber(best.pool)) at \(grouped(best.capacity))/s"
            }
            knees.append(
                Knee(
                    group: group,
                    poolSize: knee.pool,
                    capacity: knee.capacity,
                    bestCapacity: best.capacity,
                    bestPoolSize: best.pool,
                    limitedBy: knee.limitedBy,
                    operation: operation,
                    sentence: sentence
                )
            )
        }
        return knees
    }

    /// 1380 → "1,380".
    static func grouped(_ value: Double) -> String {
        let whole = Int(value.rounded())
        let text = String(whole)
        var result = ""
        for (index, character) in text.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
