/// One operation's outcome with the instant it completed, kept by a ``Recorder`` whose
/// timeline is on (runs with faults), so outcomes can be placed before, during and after a fault.
public struct TimedOutcome: Sendable, Equatable {
    public var completed: ContinuousClock.Instant
    public var operation: String
    /// nil for a success; the error code otherwise.
    public var code: String?
    /// Time the operation took (from its scheduled or started instant); nil when unknown.
    public var micros: UInt64?

    public init(completed: ContinuousClock.Instant, operation: String, code: String?, micros: UInt64?) {
        self.completed = completed
        self.operation = operation
        self.code = code
        self.micros = micros
    }
}

/// An outcome on a run's own time axis: seconds after the measured phase started.
public struct OutcomePoint: Sendable, Equatable {
    /// When the answer (or the failure) came.
    public var at: Double
    public var operation: String
    public var code: String?
    public var millis: Double?

    public init(at: Double, operation: String, code: String? = nil, millis: Double? = nil) {
        self.at = at
        self.operation = operation
        self.code = code
        self.millis = millis
    }

    public var succeeded: Bool { code == nil }
    /// When the operation was sent (or scheduled): `at` minus the time it took.
    public var sent: Double { at - (millis ?? 0) / 1000 }

    public init(_ outcome: TimedOutcome, origin: ContinuousClock.Instant) {
        self.init(
            at: (outcome.completed - origin).seconds,
            operation: outcome.operation,
            code: outcome.code,
            millis: outcome.micros.map { Double($0) / 1000 }
        )
    }
}
