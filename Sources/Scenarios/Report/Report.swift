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

    public init(name: String, scenario: String, load: LoadSpec, options: ScenarioOptions, machine: MachineInfo, selection: SelectionRule, cells: [CellReport]) {
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
