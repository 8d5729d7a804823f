import Profiler
import Prometheus

/// One metric family the server exports: everything an operator needs to read it, and what
/// ``ServerMetrics`` needs to register it (type, help, buckets, start-up series).
public struct MetricDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case counter, gauge, histogram
    }

    /// The processes whose `/metrics` carry meaningful values for the family. Every process
    /// registers every family at start-up (zero-valued); this says where it moves.
    public enum Process: String, Sendable, Codable, CaseIterable {
        /// `exchange-server serve` (HTTP API, WebSocket, in-process workers when `--workers` > 0).
        case serve
        /// `exchange-server worker` (standalone workers, `/metrics` on `--metrics-port`).
        case worker
    }

    public let name: String
    public let kind: Kind
    public let labels: [String]
    /// Base unit of the value (`seconds`, `bytes`, `connections`, `jobs`, `1` for a flag).
    public let unit: String
    public let processes: [Process]
    /// When the value changes: on an event, at each scrape, or by a sampler every n seconds.
    public let updates: String
    public let help: String
    /// Bucket bounds of a histogram (`nil` otherwise).
    public let buckets: [Duration]?
    /// Label values (in `labels` order) of the series created, zero-valued, at start-up.
    /// `[[]]` for an unlabeled family.
    public let seeds: [[String]]

    init(
        _ name: String,
        _ kind: Kind,
        labels: [String] = [],
        unit: String,
        processes: [Process] = [.serve, .worker],
        updates: String,
        help: String,
        buckets: [Duration]? = nil,
        seeds: [[String]]? = nil
    ) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.unit = unit
        self.processes = processes
        self.updates = updates
        self.help = help
        self.buckets = kind == .histogram ? (buckets ?? LatencyBuckets.standard) : nil
        self.seeds = seeds ?? (labels.isEmpty ? [[]] : [])
        precondition(self.seeds.allSatisfy { $0.count == labels.count }, "seed of \(name) must give every label a value")
    }

    /// `values` paired with the family's label names, in order.
    func labelPairs(_ values: [String]) -> [(String, String)] {
        precondition(values.count == labels.count, "\(name) takes labels \(labels), got \(values)")
        return Array(zip(labels, values))
    }

    /// Cartesian product of label value lists, for seeds.
    static func product(_ lists: [String]...) -> [[String]] {
        lists.reduce([[]]) { partial, list in partial.flatMap { prefix in list.map { prefix + [$0] } } }
    }
}

extension MetricsRegistry {
    func counter(_ definition: MetricDefinition, _ values: [String] = []) -> Counter {
        counter(definition.name, help: definition.help, labels: definition.labelPairs(values))
    }

    func gauge(_ definition: MetricDefinition, _ values: [String] = []) -> Gauge {
        gauge(definition.name, help: definition.help, labels: definition.labelPairs(values))
    }

    func histogram(_ definition: MetricDefinition, _ values: [String] = []) -> DurationHistogram {
        histogram(
            definition.name,
            help: definition.help,
            labels: definition.labelPairs(values),
            buckets: definition.buckets ?? LatencyBuckets.standard
        )
    }

    /// Creates every seed series of `definition` (zero-valued).
    func register(_ definition: MetricDefinition) {
        for seed in definition.seeds {
            switch definition.kind {
            case .counter: _ = counter(definition, seed)
            case .gauge: _ = gauge(definition, seed)
            case .histogram: _ = histogram(definition, seed)
            }
        }
    }
}
