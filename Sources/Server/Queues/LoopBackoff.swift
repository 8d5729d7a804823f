import Foundation

/// The pause of a background loop after a failure (Redis or PostgreSQL unreachable): doubles
/// from `initial` up to `maximum`, with full jitter on the upper half, and resets on success.
struct LoopBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The pause after one more failure.
    mutating func next() -> Duration {
        failures += 1
        let nominal = min(initial.seconds * pow(2, Double(min(failures - 1, 30))), maximum.seconds)
        let jittered = nominal * Double.random(in: 0.5...1)
        return .nanoseconds(Int64(jittered * 1e9))
    }

    mutating func reset() {
        failures = 0
    }
}
