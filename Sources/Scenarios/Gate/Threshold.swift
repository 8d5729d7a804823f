/// One budget line, in the spirit of k6 thresholds: `p(99) < 250ms`, `rate < 0.01`, `rate > 15/s`.
///
/// Grammar: `METRIC OP VALUE[UNIT]` where METRIC is `p(N)`, `med`, `avg`, `max`, `count` or
/// `rate`; OP is `<`, `<=`, `>`, `>=`; UNIT is `us`/`µs`, `ms`, `s` (latencies, normalised to
/// ms), `%` (÷100), `/s` (per second) or nothing.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: Sendable, Equatable {
        case percentile(Double)
        case mean
        case max
        case count
        case rate
    }

    public enum Comparison: String, Sendable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="

        func holds(_ measured: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: measured < limit
            case .lessOrEqual: measured <= limit
            case .greater: measured > limit
            case .greaterOrEqual: measured >= limit
            }
        }
    }

    public var metric: Metric
    public var comparison: Comparison
    /// Milliseconds for latencies; plain numbers otherwise.
    public var limit: Double
    public var source: String

    public var description: String { source }

    public var isLatency: Bool {
        switch metric {
        case .percentile, .mean, .max: true
        case .count, .rate: false
        }
    }

    public func holds(_ measured: Double) -> Bool {
        comparison.holds(measured, limit)
    }

    public static func parse(_ text: String) throws -> Threshold {
        let source = text.trimmingCharacters(in: .whitespaces)
        let operators = ["<=", ">=", "<", ">"]
        guard let symbol = operators.first(where: { source.contains($0) }),
            let range = source.range(of: symbol),
            let comparison = Comparison(rawValue: symbol)
        else {
            throw ScenarioError("threshold \"\(text)\": expected METRIC < VALUE (or <=, >, >=)")
        }
        let metricText = source[..<range.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
        let valueText = source[range.upperBound...].trimmingCharacters(in: .whitespaces)
        let metric: Metric
        switch metricText {
        case "med", "median": metric = .percentile(50)
        case "avg", "mean": metric = .mean
        case "max": metric = .max
        case "count": metric = .count
        case "rate": metric = .rate
        default:
            guard metricText.hasPrefix("p("), metricText.hasSuffix(")"),
                let percentile = Double(metricText.dropFirst(2).dropLast()), percentile > 0, percentile <= 100
            else {
                throw ScenarioError("threshold \"\(text)\": unknown metric \"\(metricText)\" (p(N), med, avg, max, count, rate)")
            }
            metric = .percentile(percentile)
        }
        let (number, unit) = splitUnit(valueText)
        guard let value = Double(number) else { throw ScenarioError("threshold \"\(text)\": \"\(valueText)\" is not a number") }
        var limit = value
        let latency = metric != .count && metric != .rate
        switch unit {
        case "ms": limit = value
        case "s" where latency: limit = value * 1000
        case "us", "µs": limit = value / 1000
        case "%": limit = value / 100
        case "/s", "": limit = value
        default: throw ScenarioError("threshold \"\(text)\": unknown unit \"\(unit)\" (us, ms, s, %, /s)")
        }
        if latency, unit.isEmpty || unit == "%" || unit == "/s" {
            throw ScenarioError("threshold \"\(text)\": a latency needs a unit (us, ms, s)")
        }
        return Threshold(metric: metric, comparison: comparison, limit: limit, source: source)
    }

    static func splitUnit(_ text: String) -> (String, String) {
        let digits = text.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" }
        return (String(digits), text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces))
    }
}
