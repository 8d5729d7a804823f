/// Times consecutive stages of one operation (acquire → query → commit) with a monotonic clock.
///
/// ```swift
/// var timer = StageTimer()
/// let conn = try await pool.acquire()
/// acquireHistogram.record(timer.lap())
/// ```
public struct StageTimer: Sendable {
    public let started: ContinuousClock.Instant
    private var lastLap: ContinuousClock.Instant

    public init() {
        let now = ContinuousClock.now
        self.started = now
        self.lastLap = now
    }

    /// Time since the previous lap (or the start), and starts the next stage.
    public mutating func lap() -> Duration {
        let now = ContinuousClock.now
        defer { lastLap = now }
        return now - lastLap
    }

    /// Time since the timer started.
    public var elapsed: Duration { ContinuousClock.now - started }
}

/// Runs `body` and records how long it took, whether it returned or threw.
@inlinable
public func measure<T>(
    _ record: (Duration) -> Void,
    _ body: () async throws -> T
) async rethrows -> T {
    let start = ContinuousClock.now
    defer { record(ContinuousClock.now - start) }
    return try await body()
}
