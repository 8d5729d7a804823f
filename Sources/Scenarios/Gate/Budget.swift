import Foundation
import WireJSON

/// A gate's budget file: what to run (scenario, load, options, server config) and the
/// thresholds the result must meet.
///
/// Threshold keys: an operation name (`create_request`: p(N), med, avg, max, count, rate);
/// `errors` (`rate` = failed / attempted, `count`); `throughput` (`rate` = achieved primary
/// operations per second); `checks` (`rate` = passed / all correctness checks);
/// `counters.<name>` (`count`).
public struct Budget: Codable, Sendable {
    public var name: String
    public var scenario: String
    public var load: LoadSpec
    public var options: ScenarioOptions
    public var config: JSON
    public var thresholds: [String: [String]]
    public var ports: MatrixSpec.Ports
    public var provider: MatrixSpec.ProviderSettings

    enum CodingKeys: String, CodingKey {
        case name, scenario, load, options, config, thresholds, ports, provider
    }

    public init(
        name: String = "budget",
        scenario: String,
        load: LoadSpec = LoadSpec(),
        options: ScenarioOptions = ScenarioOptions(),
        config: JSON = .object([]),
        thresholds: [String: [String]],
        ports: MatrixSpec.Ports = MatrixSpec.Ports()
    ) {
        self.name = name
        self.scenario = scenario
        self.load = load
        self.options = options
        self.config = config
        self.thresholds = thresholds
        self.ports = ports
        self.provider = MatrixSpec.ProviderSettings()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try container.decode(String.self, forKey: .scenario)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "gate-\(scenario)"
        load = try container.decodeIfPresent(LoadSpec.self, forKey: .load) ?? LoadSpec()
        options = try container.decodeIfPresent(ScenarioOptions.self, forKey: .options) ?? ScenarioOptions()
        config = try container.decodeIfPresent(JSON.self, forKey: .config) ?? .object([])
        thresholds = try container.decode([String: [String]].self, forKey: .thresholds)
        ports = try container.decodeIfPresent(MatrixSpec.Ports.self, forKey: .ports) ?? MatrixSpec.Ports(server: 18180, provider: 18190)
        provider = try container.decodeIfPresent(MatrixSpec.ProviderSettings.self, forKey: .provider) ?? MatrixSpec.ProviderSettings()
    }

    public static func load(path: String) throws -> Budget {
        let budget = try JSONDecoder().decode(Budget.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        _ = try budget.parsedThresholds()
        return budget
    }

    /// Every threshold parsed, in a stable order (key, then as written).
    public func parsedThresholds() throws -> [(key: String, threshold: Threshold)] {
        try thresholds.sorted { $0.key < $1.key }.flatMap { key, lines in
            try lines.map { (key, try Threshold.parse($0)) }
        }
    }

    /// A one-cell matrix that runs this budget's scenario.
    public var matrix: MatrixSpec {
        MatrixSpec(
            name: name,
            scenario: scenario,
            load: load,
            options: options,
            config: config,
            axes: [],
            repeat: 1,
            ports: ports,
            provider: provider
        )
    }
}
