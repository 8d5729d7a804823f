/// How the summary picks the best configuration: the highest achieved throughput among cells
/// whose `percentile` of `operation` is under `ceilingMs` (and whose error rate is under
/// `maxErrorRate`), ties (within 5%) broken by fewer resources (smaller pool / worker numbers).
/// A cell whose only flaw is late starts (``EngineHealth/Trust/upperBounds``) competes
/// like a trustworthy one: its latency is an upper bound, so being under the ceiling is proven.
/// Other untrustworthy measurements are considered only when no usable one qualifies.
public struct SelectionRule: Codable, Sendable, Equatable {
    public var operation: String
    public var percentile: Double
    public var ceilingMs: Double
    public var maxErrorRate: Double

    public init(operation: String = "create_request", percentile: Double = 99, ceilingMs: Double = 250, maxErrorRate: Double = 0.01) {
        self.operation = operation
        self.percentile = percentile
        self.ceilingMs = ceilingMs
        self.maxErrorRate = maxErrorRate
    }

    enum CodingKeys: String, CodingKey { case operation, percentile, ceilingMs, maxErrorRate }

    public init(from decoder: any Decoder) throws {
        let defaults = SelectionRule()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operation = try container.decodeIfPresent(String.self, forKey: .operation) ?? defaults.operation
        percentile = try container.decodeIfPresent(Double.self, forKey: .percentile) ?? defaults.percentile
        ceilingMs = try container.decodeIfPresent(Double.self, forKey: .ceilingMs) ?? defaults.ceilingMs
        maxErrorRate = try container.decodeIfPresent(Double.self, forKey: .maxErrorRate) ?? defaults.maxErrorRate
    }

    public var description: String {
        "p\(percentile.formatted(.number)) of \(operation) < \(formatMillis(ceilingMs)), error rate < \(maxErrorRate * 100)%"
    }
}

/// The cell the summary recommends, and why.
public struct BestChoice: Codable, Sendable {
    public var label: String
    public var cellIDs: [Int]
    public var achievedRate: Double
    public var latencyMs: Double
    public var reason: String

    /// Picks the best label (repeats averaged); nil when no cell meets the rule.
    public static func select(cells: [CellReport], rule: SelectionRule) -> BestChoice? {
        let groups = Dictionary(grouping: cells.filter { $0.failure == nil }, by: \.label)
        struct Candidate {
            var label: String
            var ids: [Int]
            var rate: Double
            var latency: Double
            var resources: Double
            var trusted: Bool
            /// Trusted, or flawed only by late starts: its latency is an upper bound.
            var usable: Bool
        }
        var candidates: [Candidate] = []
        var rejected: [String] = []
        for (label, group) in groups {
            let rate = group.map(\.achievedRate).reduce(0, +) / Double(group.count)
            let latencies = group.compactMap { $0.operations[rule.operation]?.value(atPercentile: rule.percentile) }
            guard latencies.count == group.count, let worst = latencies.max() else { continue }
            let errorRate = group.map(\.errorRate).max() ?? 0
            guard worst < rule.ceilingMs, errorRate < rule.maxErrorRate else {
                rejected.append(label)
                continue
            }
            candidates.append(
                Candidate(
                    label: label,
                    ids: group.map(\.id),
                    rate: rate,
                    latency: worst,
                    resources: resources(group[0]),
                    trusted: group.allSatisfy(\.trustworthy),
                    usable: group.allSatisfy { $0.trust != .untrustworthy }
                )
            )
        }
        // Cells the load generator couldn't drive faithfully only win when nothing else qualifies.
        let untrustedCandidates = candidates.filter { !$0.usable }
        let untrusted = untrustedCandidates.count
        if candidates.contains(where: \.usable) { candidates.removeAll { !$0.usable } }
        guard let top = candidates.map(\.rate).max() else { return nil }
        let near = candidates.filter { $0.rate >= top * 0.95 }
        guard let best = near.min(by: { ($0.resources, $0.latency) < ($1.resources, $1.latency) }) else { return nil }
        var reason = "highest achieved throughput (\(String(format: "%.1f", best.rate))/s) with \(rule.description)"
        if near.count > 1 {
            reason += "; \(near.count - 1) other configuration(s) within 5% of it use more resources or have higher latency"
        }
        if !rejected.isEmpty { reason += "; \(rejected.count) configuration(s) broke the budget" }
        if best.usable, !best.trusted {
            reason +=
                "; its latency is an upper bound (the load generator started some operations late, "
                + "and latency counts from the scheduled start)"
        }
        if untrusted > 0, best.usable {
            reason += "; \(untrusted) untrustworthy measurement(s) not considered"
            // Said outright when one of them measured better: a reader would otherwise take the
            // pick for the faster configuration. Latency counts from each arrival's scheduled
            // start, so the generator's delays can only have raised that cell's figure.
            let better = untrustedCandidates.filter { $0.rate >= best.rate * 0.95 && $0.latency < best.latency }
            for candidate in better.sorted(by: { $0.latency < $1.latency }) {
                reason +=
                    "; `\(candidate.label)` measured a lower p\(rule.percentile.formatted(.number)) (\(formatMillis(candidate.latency)) against "
                    + "\(formatMillis(best.latency)) at \(String(format: "%.1f", candidate.rate))/s) in an untrustworthy run: rerun it on a quieter machine"
            }
        }
        return BestChoice(label: best.label, cellIDs: best.ids, achievedRate: best.rate, latencyMs: best.latency, reason: reason)
    }

    /// Resource weight: pool sizes, workers and connections summed from the numeric axes.
    static func resources(_ cell: CellReport) -> Double {
        cell.axes.filter { key, _ in
            let lower = key.lowercased()
            return lower.contains("poolsize") || lower.contains("workers") || lower.contains("count")
        }.compactMap { $0.value.doubleValue }.reduce(0, +)
    }
}
