import Foundation
import Profiler

/// The catalogue as text: an aligned table for a terminal, JSON for tools
/// (`scripts/check-observability`), and a Markdown table for docs/metrics.md.
extension MetricCatalogue {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, markdown
    }

    public static func render(_ format: Format, _ definitions: [MetricDefinition] = all) -> String {
        switch format {
        case .text: text(definitions)
        case .json: json(definitions)
        case .markdown: markdown(definitions)
        }
    }

    static func text(_ definitions: [MetricDefinition]) -> String {
        let header = ["NAME", "TYPE", "LABELS", "UNIT", "PROCESSES", "UPDATES"]
        let rows = definitions.map { d in
            [d.name, d.kind.rawValue, d.labels.joined(separator: ","), d.unit, d.processes.map(\.rawValue).joined(separator: ","), d.updates]
        }
        let widths = (0..<header.count - 1).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { index, cell in
                index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// One object per family: name, type, labels, unit, processes, updates, help, buckets
    /// (seconds, histograms only) and seeds (label values of the series present at start-up).
    static func json(_ definitions: [MetricDefinition]) -> String {
        struct Entry: Encodable {
            let name: String, type: String, labels: [String], unit: String, processes: [String], updates: String, help: String
            let buckets: [Double]?
            let seeds: [[String: String]]
        }
        let entries = definitions.map { d in
            Entry(
                name: d.name,
                type: d.kind.rawValue,
                labels: d.labels,
                unit: d.unit,
                processes: d.processes.map(\.rawValue),
                updates: d.updates,
                help: d.help,
                buckets: d.buckets?.map(\.seconds),
                seeds: d.seeds.map { Dictionary(uniqueKeysWithValues: zip(d.labels, $0)) }
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(entries)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func markdown(_ definitions: [MetricDefinition]) -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| name | type | labels | unit | exported by | updates | meaning |", "|---|---|---|---|---|---|---|"]
        for d in definitions {
            let labels = d.labels.isEmpty ? "" : d.labels.map { "`\($0)`" }.joined(separator: ", ")
            var meaning = cell(d.help)
            if let buckets = d.buckets {
                meaning += " Buckets: " + buckets.map { formatSeconds($0.seconds) }.joined(separator: ", ") + " s."
            }
            lines.append(
                "| `\(d.name)` | \(d.kind.rawValue) | \(labels) | \(d.unit) | \(d.processes.map(\.rawValue).joined(separator: ", ")) | \(cell(d.updates)) | \(meaning) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0.000025`, `0.25`, `30`: the shortest decimal that round-trips, as Prometheus prints `le`.
    static func formatSeconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : "\(value)"
    }
}
