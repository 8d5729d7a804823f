/// A load scenario: what it drives against the server and which operation summarises it.
public protocol Scenario: Sendable {
    /// `exchange-flow`, `claim-race`, …
    var name: String { get }
    /// One line for `scenarios list`.
    var summary: String { get }
    /// The operation whose rate is the run's throughput and whose latency a budget usually caps.
    var primaryOperation: String { get }
    func run(_ context: ScenarioContext) async throws -> ScenarioOutcome
}

extension Scenario {
    /// Most workloads are judged by how fast requests are created.
    public var primaryOperation: String { "create_request" }
}

/// Everything a scenario produced in its measured phase.
public struct ScenarioOutcome: Sendable {
    public var snapshot: RecorderSnapshot
    public var health: EngineHealth
    /// Seconds from the first measured arrival until the last primary operation succeeded
    /// (the achieved rate's denominator; a server that stalls at the end stretches it).
    public var measuredSeconds: Double
    public var primaryOperation: String
    /// Correctness checks (`one_winner_per_race`, `no_event_lost`, …): name → passed.
    public var checks: [String: Bool]
    public var notes: [String]

    public init(
        snapshot: RecorderSnapshot,
        health: EngineHealth,
        measuredSeconds: Double,
        primaryOperation: String,
        checks: [String: Bool] = [:],
        notes: [String] = []
    ) {
        self.snapshot = snapshot
        self.health = health
        self.measuredSeconds = measuredSeconds
        self.primaryOperation = primaryOperation
        self.checks = checks
        self.notes = notes
    }

    /// From a measured run: the window ends when the primary operation last succeeded.
    public init(snapshot: RecorderSnapshot, run: OpenLoopRunner.Outcome, primaryOperation: String, checks: [String: Bool] = [:], notes: [String] = [])
    {
        self.snapshot = snapshot
        self.health = run.health()
        var seconds = run.elapsed.seconds
        if let last = snapshot.lastRecorded[primaryOperation] {
            seconds = min(seconds, (last - run.started).seconds)
        }
        self.measuredSeconds = seconds
        self.primaryOperation = primaryOperation
        self.checks = checks
        self.notes = notes
    }
}

public struct ScenarioError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Every scenario `scenarios list` shows.
public enum ScenarioRegistry {
    public static let all: [any Scenario] = [
        ExchangeFlowScenario(),
        ClaimRaceScenario(),
        SideEffectsScenario(),
        DashboardScenario(),
        ReconnectScenario(),
        BurstScenario(),
        HealthCeilingScenario(),
    ]

    public static func named(_ name: String) -> (any Scenario)? {
        all.first { $0.name == name }
    }
}
