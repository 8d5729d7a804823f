/// What one fault did to the traffic (docs/lab.md "Faults inside runs"), from the outcomes
/// around it. Times in seconds; the *impact window* runs from the fault's start to
/// ``FaultAnalysis/grace`` seconds after its end.
public struct FaultResult: Codable, Sendable, Equatable {
    public var fault: String
    public var event: FaultEvent
    /// From the fault's end until every operation kind sent after the end had succeeded once
    /// (nil: some kind never succeeded again).
    public var recoverySeconds: Double?
    /// Per operation: from the end to its first success sent after the end.
    public var recoveryByOperation: [String: Double]
    /// From the end to the last error after it (0: none after the end).
    public var lastErrorAfterEndSeconds: Double
    /// Errors in the impact window by code (`http_503`, `transport_connect`, `db_unavailable`, …).
    public var errors: [String: Int]
    /// Errors in the impact window per operation and code.
    public var errorsByOperation: [String: [String: Int]]
    /// Outcomes (successes and errors) in the impact window.
    public var attempts: Int
    /// p99 of every outcome in the impact window, and outside every fault's window (ms).
    public var p99DuringMs: Double?
    public var p99OutsideMs: Double?
    /// The impact window, seconds after the measured phase started.
    public var windowStart: Double
    public var windowEnd: Double

    public var errorCount: Int { errors.values.reduce(0, +) }
}

/// The faults of one cell: what was scheduled and happened, its effect, and the loss check.
public struct FaultsReport: Codable, Sendable, Equatable {
    public var results: [FaultResult]
    public var loss: LossReport?
    /// Seconds from the cell's start to the measured phase's start (to place faults on the
    /// latency-over-time chart, whose axis counts from the cell's start).
    public var measureStartOffset: Double

    public init(results: [FaultResult], loss: LossReport?, measureStartOffset: Double) {
        self.results = results
        self.loss = loss
        self.measureStartOffset = measureStartOffset
    }
}
