/// One measured cell: a configuration, the load offered, and what came back.
public struct CellReport: Codable, Sendable {
    public var id: Int
    /// `poolSize=8 mode=queued`, from the axes (or the scenario name for a single run).
    public var label: String
    /// Axis path → value for this cell.
    public var axes: [String: JSONValue]
    public var repeatIndex: Int
    /// The server configuration file written for this cell (null for runs against a running server).
    public var config: JSONValue
    public var scenario: String
    public var load: LoadSpec
    public var offeredRate: Double
    public var achievedRate: Double
    public var measuredSeconds: Double
    public var primaryOperation: String
    public var operations: [String: OperationStats]
    /// Errors by code over all operations.
    public var errors: [String: Int]
    /// Failed / attempted over the client operations (derived measures like `e2e_*` excluded).
    public var errorRate: Double
    public var counters: [String: Int]
    public var checks: [String: Bool]
    public var engine: EngineHealth?
    public var serverMetrics: ServerMetrics?
    public var notes: [String]
    /// Why the cell produced no measurement (server didn't start, sign-in failed, …).
    public var failure: String?

    /// Operations that are derived from others rather than attempted calls.
    public static let derivedOperations: Set<String> = ["e2e_completed", "e2e_observed", "ws_delivery_lag", "recovery", "claim_won", "claim_lost", "claim_race"]

    public init(id: Int, label: String, axes: [String: JSONValue], repeatIndex: Int, config: JSONValue, scenario: String, load: LoadSpec, primaryOperation: String) {
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
        engine = outcome.health.judged(dispatchLimitMs: load.maxDispatchDelayMs)
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
        errorRate = attempted > 0 ? Double(failed) / Double(attempted) : 0
    }

    public var trustworthy: Bool { engine?.trustworthy ?? false }
    /// The label, with `#n` for repeats after the first.
    public var displayName: String { repeatIndex > 0 ? "\(label) #\(repeatIndex + 1)" : label }
    public var primary: OperationStats? { operations[primaryOperation] }
}
