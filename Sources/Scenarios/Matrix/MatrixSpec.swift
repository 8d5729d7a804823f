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
///  "ports": {"server": 18080, "provider": 18090},
///  "faults": [{"kind": "redis-restart", "at": 20, "duration": 5}],
///  "own": {"redis": true, "replica": true}, "workerProcesses": 1}
/// ```
///
/// `faults` are played in every cell's measured phase (docs/lab.md "Faults inside runs");
/// `own` gives each cell a private Redis and/or streaming replica (implied by the faults that
/// need one); `workerProcesses` runs queue workers as separate `exchange-server worker`
/// processes (servers get `workers.count` 0; `worker-kill` implies 1).
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

    /// Services a cell gets for itself instead of the shared ones.
    public struct OwnedServices: Codable, Sendable, Equatable {
        public var redis: Bool
        public var replica: Bool

        public init(redis: Bool = false, replica: Bool = false) {
            self.redis = redis
            self.replica = replica
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            redis = try container.decodeIfPresent(Bool.self, forKey: .redis) ?? false
            replica = try container.decodeIfPresent(Bool.self, forKey: .replica) ?? false
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
    /// Faults played in every cell's measured phase.
    public var faults: [FaultSpec] = []
    /// Private Redis / replica per cell (as declared; see ``owns``).
    public var own: OwnedServices = OwnedServices()
    /// Separate `exchange-server worker` processes per cell (0: workers run in the servers).
    public var workerProcesses: Int = 0

    /// What a cell with `faults` owns once the faults' needs are added.
    public func owns(faults: [FaultSpec]) -> OwnedServices {
        OwnedServices(
            redis: own.redis || faults.contains { $0.kind == .redisRestart },
            replica: own.replica || faults.contains { $0.kind == .replicaStop }
        )
    }

    /// Worker processes of a cell with `faults`, once `worker-kill`'s need is added.
    public func separateWorkers(faults: [FaultSpec]) -> Int {
        faults.contains { $0.kind == .workerKill } ? max(1, workerProcesses) : workerProcesses
    }

    /// The axis path whose values are fault lists (one cell per list) rather than configuration.
    public static let faultsAxis = "faults"

    /// An axis value of `faults`: `"redis-restart@10:5"`, `{"kind": …, "at": …}`, or a list of those.
    public static func faults(from value: JSON) throws -> [FaultSpec] {
        switch value {
        case .string(let text): return [try FaultSpec(parsing: text)]
        case .array(let items): return try items.flatMap { try faults(from: $0) }
        default:
            let data = try JSONEncoder().encode(value)
            return [try JSONDecoder().decode(FaultSpec.self, from: data)]
        }
    }
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
        topology: Topology = .standard
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
        case name, scenario, load, options, config, axes, `repeat`, selection, ports, provider, search, faults, own, workerProcesses, topology
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
        faults = try container.decodeIfPresent([FaultSpec].self, forKey: .faults) ?? []
        own = try container.decodeIfPresent(OwnedServices.self, forKey: .own) ?? OwnedServices()
        workerProcesses = try container.decodeIfPresent(Int.self, forKey: .workerProcesses) ?? 0
        topology = try container.decodeIfPresent(Topology.self, forKey: .topology) ?? .standard
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
        for axis in axes where axis.path == Self.faultsAxis {
            for value in axis.values { _ = try Self.faults(from: value) }
        }
        for cell in cells() where !cell.faults.isEmpty {
            guard search == nil else { throw ScenarioError("faults need a fixed-rate run (no search)") }
            try cell.faults.validate(measuredSeconds: load.duration)
        }
        guard (0...8).contains(workerProcesses) else { throw ScenarioError("workerProcesses must be in 0...8") }
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
        /// The matrix's faults plus those of a `faults` axis.
        public var faults: [FaultSpec] = []
        /// Instances, database distance and pooler of this cell.
        public var topology: Topology = .standard
    }

    /// Server settings every cell starts from, under the matrix's own `config`: the lab signs
    /// every user and operator in from 127.0.0.1, so the per-address sign-in limits (meant
    /// for one client among many) would refuse a capacity search's hundreds of users.
    static let labDefaults: JSON = [
        "rateLimit": [
            "otpPerAddressPerMinute": 1_000_000, "verifyPerAddressPerMinute": 1_000_000, "tokenLookupsPerAddressPerMinute": 1_000_000,
        ]
    ]

    /// The cartesian product of the axes, each repeated `repeat` times (repeats adjacent).
    public func cells() -> [Cell] {
        var combinations: [[(String, JSON)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.path, $0)] } }
        }
        var result: [Cell] = []
        for combination in combinations {
            var config = Self.labDefaults.merged(with: self.config)
            var cellFaults = faults
            var topology = self.topology
            for (path, value) in combination {
                if path == Self.faultsAxis {
                    cellFaults += (try? Self.faults(from: value)) ?? []
                } else if Topology.axisPaths.contains(path) {
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
                : combination.map { path, value in
                    if path == Self.faultsAxis {
                        let specs = (try? Self.faults(from: value)) ?? []
                        return "fault=" + (specs.isEmpty ? "none" : specs.map(\.description).joined(separator: "+"))
                    }
                    return "\(Topology.labelName(path) ?? path.split(separator: ".").last.map(String.init) ?? path)=\(value)"
                }.joined(separator: " ")
            for repetition in 0..<`repeat` {
                result.append(
                    Cell(
                        index: result.count,
                        label: label,
                        axes: Dictionary(uniqueKeysWithValues: combination),
                        config: config,
                        repeatIndex: repetition,
                        faults: cellFaults,
                        topology: topology
                    )
                )
            }
        }
        return result
    }

    /// Rough seconds per cell, for the ETA (start-up, sign-in, warm-up, measurement, drain).
    public var estimatedSecondsPerCell: Double {
        guard let search else { return 8 + load.warmup + load.duration + 3 + (hasFaults ? 20 : 0) }
        // A typical search: ~6 growth steps and the refinements, each step plus its drain.
        return 10 + load.warmup + Double(6 + search.refine) * (search.stepSeconds + 1)
    }

    var hasFaults: Bool { !faults.isEmpty || axes.contains { $0.path == Self.faultsAxis } }

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
