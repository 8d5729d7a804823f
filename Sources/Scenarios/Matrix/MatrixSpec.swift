import Foundation
import ProviderSimulator
import WireJSON

/// A matrix file: one scenario and load, run once per combination of configuration axes.
///
/// ```json
/// {"name": "smoke", "scenario": "exchange-flow",
///  "load": {"rate": 10, "duration": 10, "warmup": 2, "arrival": "poisson"},
///  "options": {"operators": 4},
///  "config": {"workers": {"count": 2}},
///  "axes": [{"path": "sideEffects.mode", "values": ["sync", "queued"]}],
///  "repeat": 1,
///  "selection": {"operation": "create_request", "percentile": 99, "ceilingMs": 250},
///  "ports": {"server": 18080, "provider": 18090}}
/// ```
///
/// Axes named in ``Topology/axisPaths`` (`instances`, `dbRttMs`, `pooler`, …) vary the cell's
/// topology instead of a server setting; the `topology` object holds their defaults.
public struct MatrixSpec: Codable, Sendable {
    public struct Axis: Codable, Sendable, Equatable {
        /// Dotted path into the server configuration (docs/design.md §7), e.g. `db.primary.poolSize`.
        public var path: String
        public var values: [JSON]

        public init(path: String, values: [JSON]) {
            self.path = path
            self.values = values
        }
    }

    public struct Ports: Codable, Sendable, Equatable {
        /// The first server instance; instance `k` listens on `server + k`.
        public var server: Int
        public var provider: Int
        /// The latency relay to the primary; the replica's relay listens on `relay + 1`.
        public var relay: Int
        /// The cell's PgBouncer (cells with `pooler: pgbouncer`).
        public var pooler: Int

        public init(server: Int = 18080, provider: Int = 18090, relay: Int? = nil, pooler: Int? = nil) {
            self.server = server
            self.provider = provider
            self.relay = relay ?? provider - 20
            self.pooler = pooler ?? provider - 30
        }

        enum CodingKeys: String, CodingKey {
            case server, provider, relay, pooler
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                server: try container.decodeIfPresent(Int.self, forKey: .server) ?? 18080,
                provider: try container.decodeIfPresent(Int.self, forKey: .provider) ?? 18090,
                relay: try container.decodeIfPresent(Int.self, forKey: .relay),
                pooler: try container.decodeIfPresent(Int.self, forKey: .pooler)
            )
        }
    }

    /// Start-up behaviour of the provider simulator child (`scenarios provider` flags).
    public struct ProviderSettings: Codable, Sendable, Equatable {
        public var latencyMs: Int?
        public var distribution: String?
        public var errorRate: Double?

        public init(latencyMs: Int? = nil, distribution: String? = nil, errorRate: Double? = nil) {
            self.latencyMs = latencyMs
            self.distribution = distribution
            self.errorRate = errorRate
        }

        public var arguments: [String] {
            var result: [String] = []
            if let latencyMs { result += ["--latency-ms", "\(latencyMs)"] }
            if let distribution { result += ["--distribution", distribution] }
            if let errorRate { result += ["--error-rate", "\(errorRate)"] }
            return result
        }
    }

    public var name: String
    public var scenario: String
    public var load: LoadSpec
    public var options: ScenarioOptions
    /// Base server configuration every cell starts from.
    public var config: JSON
    public var axes: [Axis]
    /// Runs of each cell (to measure run-to-run noise).
    public var `repeat`: Int
    public var selection: SelectionRule
    public var ports: Ports
    public var provider: ProviderSettings
    /// When set, every cell searches for its capacity instead of running `load.rate` once.
    public var search: SearchSpec?
    /// The topology of cells whose axes don't set it (one instance, no relay, no pooler).
    public var topology: Topology

    public init(
        name: String,
        scenario: String,
        load: LoadSpec,
        options: ScenarioOptions = ScenarioOptions(),
        config: JSON = .object([]),
        axes: [Axis] = [],
        repeat: Int = 1,
        selection: SelectionRule = SelectionRule(),
        ports: Ports = Ports(),
        provider: ProviderSettings = ProviderSettings(),
        search: SearchSpec? = nil,
        topology: Topology = Topology()
    ) {
        self.topology = topology
        self.provider = provider
        self.search = search
        self.name = name
        self.scenario = scenario
        self.load = load
        self.options = options
        self.config = config
        self.axes = axes
        self.repeat = `repeat`
        self.selection = selection
        self.ports = ports
    }

    enum CodingKeys: String, CodingKey {
        case name, scenario, load, options, config, axes, `repeat`, selection, ports, provider, search, topology
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try container.decode(String.self, forKey: .scenario)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? scenario
        load = try container.decodeIfPresent(LoadSpec.self, forKey: .load) ?? LoadSpec()
        options = try container.decodeIfPresent(ScenarioOptions.self, forKey: .options) ?? ScenarioOptions()
        config = try container.decodeIfPresent(JSON.self, forKey: .config) ?? .object([])
        axes = try container.decodeIfPresent([Axis].self, forKey: .axes) ?? []
        `repeat` = max(1, try container.decodeIfPresent(Int.self, forKey: .repeat) ?? 1)
        selection = try container.decodeIfPresent(SelectionRule.self, forKey: .selection) ?? SelectionRule()
        ports = try container.decodeIfPresent(Ports.self, forKey: .ports) ?? Ports()
        provider = try container.decodeIfPresent(ProviderSettings.self, forKey: .provider) ?? ProviderSettings()
        search = try container.decodeIfPresent(SearchSpec.self, forKey: .search)
        topology = try container.decodeIfPresent(Topology.self, forKey: .topology) ?? Topology()
    }

    public static func load(path: String) throws -> MatrixSpec {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let spec = try JSONDecoder().decode(MatrixSpec.self, from: data)
        try spec.validate()
        return spec
    }

    public func validate() throws {
        guard ScenarioRegistry.named(scenario) != nil else {
            throw ScenarioError("unknown scenario \"\(scenario)\" (see `scenarios list`)")
        }
        guard load.rate > 0, load.duration > 0 else { throw ScenarioError("load.rate and load.duration must be > 0") }
        try search?.validate()
        for axis in axes where axis.values.isEmpty {
            throw ScenarioError("axis \(axis.path) has no values")
        }
        try topology.validate()
        for axis in axes where Topology.axisPaths.contains(axis.path) {
            for value in axis.values { try topology.setting(axis.path, to: value).validate() }
        }
        let mostInstances = cells().map(\.topology.instances).max() ?? 1
        let serverPorts = ports.server..<(ports.server + mostInstances)
        for (name, port) in [("provider", ports.provider), ("relay", ports.relay), ("relay + 1", ports.relay + 1), ("pooler", ports.pooler)]
        where serverPorts.contains(port) {
            throw ScenarioError(
                "ports.\(name) (\(port)) falls inside the servers' ports \(serverPorts.lowerBound)…\(serverPorts.upperBound - 1) (\(mostInstances) instances)"
            )
        }
    }

    /// One planned cell: axis values and the merged configuration (ports and provider URL set).
    public struct Cell: Sendable {
        public var index: Int
        public var label: String
        public var axes: [String: JSON]
        public var config: JSON
        public var repeatIndex: Int
        /// Instances, database distance and pooler of this cell.
        public var topology: Topology = Topology()
    }

    /// The cartesian product of the axes, each repeated `repeat` times (repeats adjacent).
    public func cells() -> [Cell] {
        var combinations: [[(String, JSON)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.path, $0)] } }
        }
        var result: [Cell] = []
        for combination in combinations {
            var config = self.config
            var topology = self.topology
            for (path, value) in combination {
                if Topology.axisPaths.contains(path) {
                    topology = (try? topology.setting(path, to: value)) ?? topology
                } else {
                    config.set(path: path, to: value)
                }
            }
            config.set(path: "http.port", to: .int(ports.server))
            config.set(path: "provider.url", to: .string("http://127.0.0.1:\(ports.provider)"))
            let label =
                combination.isEmpty
                ? scenario
                : combination.map { "\(Topology.labelName($0.0) ?? $0.0.split(separator: ".").last.map(String.init) ?? $0.0)=\($0.1)" }
                    .joined(separator: " ")
            for repetition in 0..<`repeat` {
                result.append(
                    Cell(
                        index: result.count,
                        label: label,
                        axes: Dictionary(uniqueKeysWithValues: combination),
                        config: config,
                        repeatIndex: repetition,
                        topology: topology
                    )
                )
            }
        }
        return result
    }

    /// Rough seconds per cell, for the ETA (start-up, sign-in, warm-up, measurement, drain).
    public var estimatedSecondsPerCell: Double {
        guard let search else { return 8 + load.warmup + load.duration + 3 }
        // A typical search: ~6 growth steps and the refinements, each step plus its drain.
        return 10 + load.warmup + Double(6 + search.refine) * (search.stepSeconds + 1)
    }

    /// `cells()` in a random order drawn from `seed` (so order cannot pose as an effect).
    public func shuffledCells(seed: UInt64) -> [Cell] {
        var generator = SplitMix64(seed: seed)
        var result = cells()
        guard result.count > 1 else { return result }
        for index in stride(from: result.count - 1, to: 0, by: -1) {
            let other = Int(generator.next() % UInt64(index + 1))
            result.swapAt(index, other)
        }
        return result
    }
}
