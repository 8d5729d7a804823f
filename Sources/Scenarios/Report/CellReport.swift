import WireJSON

/// One measured cell: a configuration, the load offered, and what came back.
public struct CellReport: Codable, Sendable {
    public var id: Int
    /// `poolSize=8 mode=queued`, from the axes (or the scenario name for a single run).
    public var label: String
    /// Axis path → value for this cell.
    public var axes: [String: JSON]
    public var repeatIndex: Int
    /// Position in the order cells actually ran (differs from `id` with `--shuffle`).
    public var runOrder: Int?
    /// The server configuration file written for this cell (null for runs against a running server).
    public var config: JSON
    public var scenario: String
    public var load: LoadSpec
    public var offeredRate: Double
    public var achievedRate: Double
    public var measuredSeconds: Double
    public var primaryOperation: String
    /// Successes only.
    public var operations: [String: OperationStats]
    /// Every outcome, errors and timeouts with the time they took.
    public var allOutcomes: [String: OperationStats] = [:]
    /// Errors by code over all operations.
    public var errors: [String: Int]
    /// Failed / attempted over the client operations (derived measures like `e2e_*` excluded).
    public var errorRate: Double
    public var counters: [String: Int]
    public var checks: [String: Bool]
    public var engine: EngineHealth?
    public var serverMetrics: ServerMetrics?
    /// CPU per process and PostgreSQL wait events over the measured window.
    public var resources: ResourceUsage?
    /// Set when the cell searched for its capacity: the answer and every step.
    public var capacity: Capacity?
    /// Faults played during the measured phase, their effect, and the loss check.
    public var faults: FaultsReport?
    /// Instances, database distance and pooler (matrix cells; nil in reports from before).
    public var topology: Topology?
    /// Per server instance: its address and what it served (cells with more than one instance).
    public var instances: [InstanceShare]?
    /// The Redis key prefix and PostgreSQL database the cell ran in (isolated cells).
    public var isolation: [String: String]?
    public var notes: [String]
    /// Why the cell produced no measurement (server didn't start, sign-in failed, …).
    public var failure: String?

    /// Operations that are derived from others rather than attempted calls.
    public static let derivedOperations: Set<String> = [
        "e2e_completed", "e2e_observed", "ws_delivery_lag", "recovery", "claim_won", "claim_lost", "claim_race",
    ]

    public init(
        id: Int,
        label: String,
        axes: [String: JSON],
        repeatIndex: Int,
        config: JSON,
        scenario: String,
        load: LoadSpec,
        primaryOperation: String
    ) {
        self.id = id
        self.label = label
        self.axes = axes
        self.repeatIndex = repeatIndex
        self.config = config
        self.scenario = scenario
        self.load = load
        self.offeredRate = load.rate
        self.achievedRate = 0
        self.measuredSeconds = 0
        self.primaryOperation = primaryOperation
        self.operations = [:]
        self.errors = [:]
        self.errorRate = 0
        self.counters = [:]
        self.checks = [:]
        self.engine = nil
        self.serverMetrics = nil
        self.notes = []
        self.failure = nil
    }

    /// Fills the measurement from a scenario's outcome.
    public mutating func apply(_ outcome: ScenarioOutcome) {
        let snapshot = outcome.snapshot
        operations = snapshot.stats()
        errors = snapshot.errorsByCode
        counters = snapshot.counters
        checks = outcome.checks
        allOutcomes = snapshot.allOutcomeStats()
        let measured = allOutcomes[outcome.primaryOperation]
        engine = outcome.health.judged(operationP50Ms: measured?.p50Ms, operationMaxMs: measured?.maxMs)
        notes += outcome.notes
        measuredSeconds = outcome.measuredSeconds
        primaryOperation = outcome.primaryOperation
        let primaryCount = Double(operations[outcome.primaryOperation]?.count ?? 0)
        achievedRate = measuredSeconds > 0 ? primaryCount / max(measuredSeconds, load.duration) : 0
        var attempted = 0
        var failed = 0
        for (name, stats) in operations where !Self.derivedOperations.contains(name) {
            attempted += stats.count + stats.errors
            failed += stats.errors
        }
        let dropped = engine?.dropped ?? 0
        errorRate = attempted + dropped > 0 ? Double(failed + dropped) / Double(attempted + dropped) : 0
    }

    /// Takes the measured figures from one step's window (the fixed step, or the capacity step
    /// of a search), so client and server numbers describe the same window.
    public mutating func apply(step: CapacityStep, primary: String) {
        offeredRate = step.offeredRate
        operations = step.operations
        allOutcomes = step.allOutcomes
        errors = step.errors
        errorRate = step.errorRate
        engine = step.engine
        serverMetrics = step.server
        resources = step.resources
        measuredSeconds = step.seconds
        let count = Double(step.operations[primary]?.count ?? 0)
        achievedRate = step.seconds > 0 ? count / step.seconds : 0
    }

    public var trustworthy: Bool { engine?.trustworthy ?? false }
    /// See ``EngineHealth/Trust``; a cell without engine figures is untrustworthy.
    public var trust: EngineHealth.Trust { engine?.trust ?? .untrustworthy }

    /// The server pool-size axis the knee and the pool charts are drawn over: `db.primary.poolSize`
    /// when the cell has it, else another `…poolSize` axis — never the pooler's own
    /// (`pooler.poolSize`, a topology axis).
    public static func poolAxis(of cell: CellReport) -> String? {
        if cell.axes["db.primary.poolSize"] != nil { return "db.primary.poolSize" }
        return cell.axes.keys.sorted().first { $0.lowercased().hasSuffix("poolsize") && !Topology.axisPaths.contains($0) }
    }
    /// The label, with `#n` for repeats after the first.
    public var displayName: String { repeatIndex > 0 ? "\(label) #\(repeatIndex + 1)" : label }
    public var primary: OperationStats? { operations[primaryOperation] }
}
