import Foundation
import Profiler
import ProviderSimulator

/// Decides, per configuration and operation, "regression", "improvement" or "no significant
/// change" between two reports with a statistical test over their repeats — or says "not
/// enough repeats" (fewer than ``minimumRepeats`` on a side).
///
/// Latency (p50 and p99, all outcomes) uses a hierarchical bootstrap: each resample draws the
/// repeats with replacement, then requests from each drawn repeat's histogram with
/// replacement, so both run-to-run and within-run noise widen the interval. The change is
/// significant when the `confidence` interval of the ratio candidate/baseline excludes 1.
/// Capacity (searched cells) is compared with a Mann-Whitney U test over the repeats'
/// capacities (exact, two-sided); with 2 + 2 repeats no difference can be significant at 5 %,
/// which is what the verdict then says.
public struct Comparison: Sendable {
    public enum Verdict: String, Sendable {
        case regression
        case improvement
        case noSignificantChange = "no significant change"
        case notEnoughRepeats = "not enough repeats"
    }

    public struct Row: Sendable {
        public var cell: String
        public var operation: String
        /// `p50`, `p99` (ms) or `capacity` (/s).
        public var metric: String
        public var before: Double
        public var after: Double
        /// The confidence interval of after/before (latency), or the test's p-value (capacity).
        public var low: Double?
        public var high: Double?
        public var pValue: Double?
        public var repeats: (before: Int, after: Int)
        public var verdict: Verdict
        public var relativeChange: Double { before > 0 ? (after - before) / before : (after > 0 ? .infinity : 0) }
    }

    /// Per cell label: operation → one histogram per repeat; capacities per repeat.
    public struct Samples: Sendable {
        public var latencies: [String: [String: [LatencyHistogram]]] = [:]
        public var capacities: [String: [Double]] = [:]

        public init(latencies: [String: [String: [LatencyHistogram]]] = [:], capacities: [String: [Double]] = [:]) {
            self.latencies = latencies
            self.capacities = capacities
        }

        /// From a report directory: the primary operation's histograms from the `.hlog` logs of
        /// fixed-rate cells, the capacities of searched cells.
        public static func load(report: Report, directory: String) -> Samples {
            var samples = Samples()
            for cell in report.cells where cell.failure == nil {
                if let capacity = cell.capacity {
                    samples.capacities[cell.label, default: []].append(capacity.rate ?? 0)
                    continue
                }
                let path = directory + "/histograms/" + ReportWriter.hlogName(cell: cell)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                for (operation, histogram) in IntervalLog.totals(text) where operation == cell.primaryOperation && histogram.count > 0 {
                    samples.latencies[cell.label, default: [:]][operation, default: []].append(histogram)
                }
            }
            return samples
        }
    }

    public var rows: [Row]
    public var unmatched: [String]

    public static let minimumRepeats = 2

    public init(baseline: Samples, candidate: Samples, confidence: Double = 0.95, iterations: Int = 600, seed: UInt64 = 0xC0FFEE) {
        var rows: [Row] = []
        var generator = SplitMix64(seed: seed)
        let labels = Set(baseline.latencies.keys).union(baseline.capacities.keys)
        let otherLabels = Set(candidate.latencies.keys).union(candidate.capacities.keys)
        for label in labels.intersection(otherLabels).sorted() {
            for operation in Set(baseline.latencies[label]?.keys ?? [:].keys).intersection(candidate.latencies[label]?.keys ?? [:].keys).sorted() {
                let a = baseline.latencies[label]?[operation] ?? []
                let b = candidate.latencies[label]?[operation] ?? []
                rows += Self.latencyRows(
                    label: label,
                    operation: operation,
                    a: a,
                    b: b,
                    confidence: confidence,
                    iterations: iterations,
                    generator: &generator
                )
            }
            if let a = baseline.capacities[label], let b = candidate.capacities[label] {
                let before = a.reduce(0, +) / Double(max(a.count, 1))
                let after = b.reduce(0, +) / Double(max(b.count, 1))
                var row = Row(
                    cell: label,
                    operation: "capacity",
                    metric: "capacity",
                    before: before,
                    after: after,
                    repeats: (a.count, b.count),
                    verdict: .notEnoughRepeats
                )
                if a.count >= Self.minimumRepeats, b.count >= Self.minimumRepeats {
                    let p = MannWhitney.pValue(a, b)
                    row.pValue = p
                    row.verdict = p < 1 - confidence ? (after > before ? .improvement : .regression) : .noSignificantChange
                }
                rows.append(row)
            }
        }
        self.rows = rows
        self.unmatched = labels.symmetricDifference(otherLabels).sorted()
    }

    static func latencyRows(
        label: String,
        operation: String,
        a: [LatencyHistogram],
        b: [LatencyHistogram],
        confidence: Double,
        iterations: Int,
        generator: inout SplitMix64
    ) -> [Row] {
        let percentiles: [(String, Double)] = [("p50", 50), ("p99", 99)]
        let before = merged(a)
        let after = merged(b)
        guard a.count >= minimumRepeats, b.count >= minimumRepeats else {
            return percentiles.map { name, p in
                Row(
                    cell: label,
                    operation: operation,
                    metric: name,
                    before: before.percentileMillis(p),
                    after: after.percentileMillis(p),
                    repeats: (a.count, b.count),
                    verdict: .notEnoughRepeats
                )
            }
        }
        let samplersA = a.map(HistogramSampler.init)
        let samplersB = b.map(HistogramSampler.init)
        var ratios: [[Double]] = Array(repeating: [], count: percentiles.count)
        for _ in 0..<iterations {
            let drawA = HistogramSampler.resample(samplersA, generator: &generator)
            let drawB = HistogramSampler.resample(samplersB, generator: &generator)
            for (index, (_, p)) in percentiles.enumerated() {
                let x = HistogramSampler.percentile(drawA, p)
                let y = HistogramSampler.percentile(drawB, p)
                if x > 0 { ratios[index].append(y / x) }
            }
        }
        return percentiles.enumerated().map { index, entry in
            let sorted = ratios[index].sorted()
            let tail = (1 - confidence) / 2
            let low = sorted.isEmpty ? 1 : sorted[Int(Double(sorted.count - 1) * tail)]
            let high = sorted.isEmpty ? 1 : sorted[Int(Double(sorted.count - 1) * (1 - tail))]
            let verdict: Verdict = low > 1 ? .regression : (high < 1 ? .improvement : .noSignificantChange)
            return Row(
                cell: label,
                operation: operation,
                metric: entry.0,
                before: before.percentileMillis(entry.1),
                after: after.percentileMillis(entry.1),
                low: low,
                high: high,
                repeats: (a.count, b.count),
                verdict: verdict
            )
        }
    }

    static func merged(_ histograms: [LatencyHistogram]) -> LatencyHistogram {
        histograms.reduce(into: LatencyHistogram()) { $0.add($1) }
    }

    public var regressions: [Row] { rows.filter { $0.verdict == .regression } }

    /// One verdict per cell: a regression anywhere wins, then an improvement; "not enough
    /// repeats" when no row could be tested.
    public func verdict(cell: String) -> Verdict {
        let verdicts = rows.filter { $0.cell == cell }.map(\.verdict)
        if verdicts.contains(.regression) { return .regression }
        if verdicts.contains(.improvement) { return .improvement }
        if verdicts.contains(.noSignificantChange) { return .noSignificantChange }
        return .notEnoughRepeats
    }

    public func table() -> String {
        let header = ["cell", "operation", "metric", "A", "B", "change", "interval / p", "repeats", "verdict"]
        let body: [[String]] = rows.map { row in
            let isRate = row.metric == "capacity"
            let before = isRate ? String(format: "%.1f/s", row.before) : formatMillis(row.before)
            let after = isRate ? String(format: "%.1f/s", row.after) : formatMillis(row.after)
            let change = row.relativeChange.isFinite ? String(format: "%+.1f%%", row.relativeChange * 100) : "new"
            var interval = "—"
            if let low = row.low, let high = row.high { interval = String(format: "×%.2f…×%.2f", low, high) }
            if let p = row.pValue { interval = String(format: "p=%.3f", p) }
            return [
                row.cell, row.operation, row.metric, before, after, change, interval, "\(row.repeats.before)+\(row.repeats.after)",
                row.verdict.rawValue,
            ]
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

/// Draws requests from a histogram with replacement (by its cumulative counts).
struct HistogramSampler: Sendable {
    let values: [Double]
    let cumulative: [UInt64]
    let total: UInt64
    /// Requests drawn per resample of this repeat (capped, which only widens the interval).
    static let maximumDraws = 4000

    init(_ histogram: LatencyHistogram) {
        var values: [Double] = []
        var cumulative: [UInt64] = []
        var running: UInt64 = 0
        for item in histogram.histogram.recordedValues() where item.count > 0 {
            running += UInt64(item.count)
            values.append(Double(item.value) / 1000)
            cumulative.append(running)
        }
        self.values = values
        self.cumulative = cumulative
        self.total = running
    }

    func draw(_ generator: inout SplitMix64) -> Double {
        let target = generator.next() % max(total, 1) + 1
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] >= target { high = middle } else { low = middle + 1 }
        }
        return values.isEmpty ? 0 : values[low]
    }

    /// Repeats drawn with replacement, then requests from each: sorted latencies (ms).
    static func resample(_ samplers: [HistogramSampler], generator: inout SplitMix64) -> [Double] {
        var result: [Double] = []
        for _ in samplers {
            let sampler = samplers[Int(generator.next() % UInt64(samplers.count))]
            let draws = min(Int(sampler.total), maximumDraws)
            for _ in 0..<draws { result.append(sampler.draw(&generator)) }
        }
        return result.sorted()
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// The exact two-sided Mann-Whitney U test for small samples (all rank orderings enumerated
/// through the U distribution's recurrence; ties get mid-ranks).
enum MannWhitney {
    static func pValue(_ a: [Double], _ b: [Double]) -> Double {
        let n = a.count
        let m = b.count
        guard n > 0, m > 0 else { return 1 }
        var u = 0.0
        for x in a {
            for y in b {
                if x > y { u += 1 } else if x == y { u += 0.5 }
            }
        }
        let mean = Double(n * m) / 2
        let distance = abs(u - mean)
        // Number of arrangements with U = k, by recurrence f(n, m, k) = f(n-1, m, k-m) + f(n, m-1, k).
        var memo: [String: Double] = [:]
        func count(_ n: Int, _ m: Int, _ k: Int) -> Double {
            if k < 0 { return 0 }
            if n == 0 || m == 0 { return k == 0 ? 1 : 0 }
            let key = "\(n),\(m),\(k)"
            if let value = memo[key] { return value }
            let value = count(n - 1, m, k - m) + count(n, m - 1, k)
            memo[key] = value
            return value
        }
        let total = (0...(n * m)).reduce(0.0) { $0 + count(n, m, $1) }
        var extreme = 0.0
        for k in 0...(n * m) where abs(Double(k) - mean) >= distance - 1e-9 { extreme += count(n, m, k) }
        return min(1, extreme / total)
    }
}
