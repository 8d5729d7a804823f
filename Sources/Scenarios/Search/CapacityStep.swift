/// One measured step of a cell: the rate offered, what came back on both sides of the wire
/// for the same window, and whether it met the search's SLO.
public struct CapacityStep: Codable, Sendable {
    /// `grow`, `refine`, or `fixed` (a cell without a search has one fixed step).
    public var phase: String
    public var offeredRate: Double
    /// Successful `operation`s per second over the window.
    public var achievedRate: Double
    public var seconds: Double
    /// Client view, successes only.
    public var operations: [String: OperationStats]
    /// Client view, every outcome (errors and timeouts with the time they took).
    public var allOutcomes: [String: OperationStats]
    /// Failed / attempted (dropped arrivals count as failed).
    public var errorRate: Double
    public var errors: [String: Int]
    public var engine: EngineHealth
    /// The server's own figures for the same window (scraped at its start and end).
    public var server: ServerMetrics?
    /// CPU per process and PostgreSQL wait events sampled each second of the window.
    public var resources: ResourceUsage?
    /// Met the SLO with a trustworthy engine.
    public var met: Bool
    /// Met the SLO (latency, errors, achieved rate), whatever the engine's health.
    public var sloMet: Bool = true
    /// Why not (empty when met).
    public var verdict: String

    /// The step's summary of `operation` (all outcomes), for tables and curves.
    public func stats(_ operation: String) -> OperationStats? {
        allOutcomes[operation] ?? operations[operation]
    }
}

/// What a capacity search found: the highest rate that met the SLO with a trustworthy engine,
/// what limited the cell beyond it, and every step taken.
public struct Capacity: Codable, Sendable {
    /// The highest offered rate whose step met the SLO; nil when even the first step failed.
    public var rate: Double?
    /// `pool wait`, `PostgreSQL CPU`, `PostgreSQL locks`, `server CPU`, `Redis`, `provider`,
    /// `load engine`, `max rate` (never broke) or `unknown`.
    public var limitedBy: String
    /// The numbers behind `limitedBy`, one sentence.
    public var evidence: String
    public var search: SearchSpec
    public var steps: [CapacityStep]

    public init(rate: Double?, limitedBy: String, evidence: String, search: SearchSpec, steps: [CapacityStep]) {
        self.rate = rate
        self.limitedBy = limitedBy
        self.evidence = evidence
        self.search = search
        self.steps = steps
    }
}
