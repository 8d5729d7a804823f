import Foundation

/// Everything one `run`, `matrix` or `gate` produced; written as `report.json`.
public struct Report: Codable, Sendable {
    public var name: String
    public var createdAt: String
    public var scenario: String
    public var load: LoadSpec
    public var options: ScenarioOptions
    public var machine: MachineInfo
    /// The rule that picked `best`.
    public var selection: SelectionRule
    public var best: BestChoice?
    public var cells: [CellReport]
    /// Cell label → operation → relative spread of p99 across repeats ((max − min) / median).
    public var variability: [String: [String: Double]]
    /// Code, binary, time and machine load behind the numbers.
    public var provenance: Provenance?
    /// The seed cells were shuffled with (nil: matrix order).
    public var shuffleSeed: UInt64?
    /// Per cell label with repeats: every operation's summary from the repeats' histograms
    /// merged (never averaged percentiles).
    public var merged: [String: [String: OperationStats]]?
    /// Per configuration group, the smallest pool size within 5 % of the best capacity.
    public var knees: [Knee]?
    /// Cell label → the capacities its repeats found (run-to-run spread of a search).
    public var capacitySpread: [String: [Double]]?

    public init(
        name: String,
        scenario: String,
        load: LoadSpec,
        options: ScenarioOptions,
        machine: MachineInfo,
        selection: SelectionRule,
        cells: [CellReport]
    ) {
        self.name = name
        self.createdAt = Date().formatted(Date.ISO8601FormatStyle())
        self.scenario = scenario
        self.load = load
        self.options = options
        self.machine = machine
        self.selection = selection
        self.cells = cells
        self.best = BestChoice.select(cells: cells, rule: selection)
        self.variability = Self.spread(cells)
        let knees = Knee.find(cells: cells)
        self.knees = knees.isEmpty ? nil : knees
        var spread: [String: [Double]] = [:]
        for (label, group) in Dictionary(grouping: cells.filter { $0.failure == nil && $0.capacity != nil }, by: \.label) where group.count > 1 {
            spread[label] = group.map { $0.capacity?.rate ?? 0 }
        }
        self.capacitySpread = spread.isEmpty ? nil : spread
    }

    static func spread(_ cells: [CellReport]) -> [String: [String: Double]] {
        var result: [String: [String: Double]] = [:]
        let groups = Dictionary(grouping: cells.filter { $0.failure == nil }, by: \.label)
        for (label, group) in groups where group.count > 1 {
            var byOperation: [String: Double] = [:]
            let operations = Set(group.flatMap { $0.operations.keys })
            for operation in operations {
                let values = group.compactMap { $0.operations[operation]?.p99Ms }.sorted()
                guard values.count > 1, let low = values.first, let high = values.last else { continue }
                let median = values[values.count / 2]
                byOperation[operation] = median > 0 ? (high - low) / median : 0
            }
            result[label] = byOperation
        }
        return result
    }

    public static func load(from directory: String) throws -> Report {
        let path = directory.hasSuffix(".json") ? directory : directory + "/report.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(Report.self, from: data)
    }
}
