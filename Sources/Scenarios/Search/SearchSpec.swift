/// A capacity search (a matrix's `search` object, or `scenarios run --search`): the offered
/// rate rises step by step until `operation`'s p99 (all outcomes) exceeds `p99Ms`, its error
/// rate exceeds `maxErrorRate`, the server stops keeping up, or the engine stops being
/// trustworthy; then it bisects between the last good and the first bad rate `refine` times.
/// A step that met the SLO but not the engine's trust rules is measured once more before it counts.
///
/// ```json
/// "search": {"operation": "claim", "p99Ms": 100, "maxErrorRate": 0.01, "startRate": 50,
///            "growth": 1.5, "stepSeconds": 10, "refine": 3}
/// ```
public struct SearchSpec: Codable, Sendable, Equatable {
    public var operation: String
    public var p99Ms: Double
    public var maxErrorRate: Double
    public var startRate: Double
    /// Each growth step multiplies the rate by this (> 1).
    public var growth: Double
    /// Measured seconds per step (the step before is the warm-up of the next).
    public var stepSeconds: Double
    /// Bisection steps between the last good and the first bad rate.
    public var refine: Int
    /// Never offer more than this.
    public var maxRate: Double
    /// Growth steps at most (refinement comes on top).
    public var maxSteps: Int
    /// A step in which fewer than this share of the scheduled arrivals completed `operation`
    /// did not keep up.
    public var minAchievedRatio: Double

    public init(
        operation: String,
        p99Ms: Double,
        maxErrorRate: Double = 0.01,
        startRate: Double = 50,
        growth: Double = 1.5,
        stepSeconds: Double = 10,
        refine: Int = 3,
        maxRate: Double = 100_000,
        maxSteps: Int = 20,
        minAchievedRatio: Double = 0.9
    ) {
        self.operation = operation
        self.p99Ms = p99Ms
        self.maxErrorRate = maxErrorRate
        self.startRate = startRate
        self.growth = growth
        self.stepSeconds = stepSeconds
        self.refine = refine
        self.maxRate = maxRate
        self.maxSteps = maxSteps
        self.minAchievedRatio = minAchievedRatio
    }

    enum CodingKeys: String, CodingKey {
        case operation, p99Ms, maxErrorRate, startRate, growth, stepSeconds, refine, maxRate, maxSteps, minAchievedRatio
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SearchSpec(operation: "", p99Ms: 0)
        operation = try container.decode(String.self, forKey: .operation)
        p99Ms = try container.decode(Double.self, forKey: .p99Ms)
        maxErrorRate = try container.decodeIfPresent(Double.self, forKey: .maxErrorRate) ?? defaults.maxErrorRate
        startRate = try container.decodeIfPresent(Double.self, forKey: .startRate) ?? defaults.startRate
        growth = try container.decodeIfPresent(Double.self, forKey: .growth) ?? defaults.growth
        stepSeconds = try container.decodeIfPresent(Double.self, forKey: .stepSeconds) ?? defaults.stepSeconds
        refine = try container.decodeIfPresent(Int.self, forKey: .refine) ?? defaults.refine
        maxRate = try container.decodeIfPresent(Double.self, forKey: .maxRate) ?? defaults.maxRate
        maxSteps = try container.decodeIfPresent(Int.self, forKey: .maxSteps) ?? defaults.maxSteps
        minAchievedRatio = try container.decodeIfPresent(Double.self, forKey: .minAchievedRatio) ?? defaults.minAchievedRatio
    }

    public func validate() throws {
        guard !operation.isEmpty else { throw ScenarioError("search.operation must name an operation") }
        guard p99Ms > 0 else { throw ScenarioError("search.p99Ms must be > 0") }
        guard startRate > 0, maxRate >= startRate else { throw ScenarioError("search.startRate must be > 0 and ≤ search.maxRate") }
        guard growth > 1 else { throw ScenarioError("search.growth must be > 1") }
        guard stepSeconds > 0 else { throw ScenarioError("search.stepSeconds must be > 0") }
        guard refine >= 0, maxSteps >= 1 else { throw ScenarioError("search.refine must be ≥ 0 and search.maxSteps ≥ 1") }
        guard (0...1).contains(maxErrorRate), (0...1).contains(minAchievedRatio) else {
            throw ScenarioError("search.maxErrorRate and search.minAchievedRatio must be between 0 and 1")
        }
    }

    public var description: String {
        "p99 of \(operation) ≤ \(formatMillis(p99Ms)), error rate ≤ \(formatNumber(maxErrorRate * 100))%"
    }
}

/// Which rate to offer next, given the verdicts so far: grow by `growth` until a step fails,
/// then bisect between the last good and the first bad rate.
public struct SearchPlan: Sendable {
    public let spec: SearchSpec
    public private(set) var lastGood: Double?
    public private(set) var firstBad: Double?
    public private(set) var growthSteps = 0
    public private(set) var refinements = 0
    private var pending: Double?

    public init(spec: SearchSpec) {
        self.spec = spec
        self.pending = spec.startRate
    }

    /// The next rate to try, nil when the search is over.
    public mutating func next() -> Double? {
        if let pending {
            self.pending = nil
            return pending
        }
        return nil
    }

    /// Whether the step at `rate` met the SLO with a trustworthy engine.
    public mutating func record(rate: Double, good: Bool) {
        if good {
            lastGood = max(lastGood ?? 0, rate)
        } else {
            firstBad = min(firstBad ?? .infinity, rate)
        }
        if firstBad == nil {
            growthSteps += 1
            let next = (rate * spec.growth).rounded()
            if growthSteps < spec.maxSteps, rate < spec.maxRate { pending = min(next, spec.maxRate) }
            return
        }
        guard let good = lastGood, let bad = firstBad, refinements < spec.refine else { return }
        let middle = ((good + bad) / 2).rounded()
        guard middle > good, middle < bad else { return }
        refinements += 1
        pending = middle
    }

    /// The highest rate that met the SLO (nil if none did).
    public var capacity: Double? { lastGood }
}
