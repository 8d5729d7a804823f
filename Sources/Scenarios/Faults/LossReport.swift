/// The loss check of a run with faults: after the run drained, every accepted OTP and every
/// committed transition's side effects must have reached the provider simulator (matched by
/// idempotency key, docs/design.md §6), and every committed event must be returned by
/// `/sync`. `loss` counts what is missing; `gate` fails on `loss > 0`.
public struct LossReport: Codable, Sendable, Equatable {
    /// Items the run acknowledged, by kind: `otp_sms`, `email`, `webhook`, `sync_event`,
    /// and `analytics` (best effort).
    public var expected: [String: Int]
    /// Of those, still missing when the check ended, by kind.
    public var missing: [String: Int]
    /// Missing items of the guaranteed kinds (all but `analytics`).
    public var loss: Int
    /// Missing analytics events: one attempt by design (docs/design.md §6), so reported but
    /// not counted as loss.
    public var bestEffortMissing: Int
    /// Up to 10 missing items (`email <request>:<seq>:email`, `sync_event <request>#3`, …).
    public var examples: [String]
    /// Provider messages whose (kind, key) had been received before: at-least-once redelivery.
    public var duplicates: Int
    /// Seconds from the end of the load until nothing guaranteed was missing (or the deadline).
    public var drainSeconds: Double
    /// Whether everything guaranteed arrived before the deadline.
    public var drained: Bool

    public static let bestEffortKinds: Set<String> = ["analytics"]

    public init(
        expected: [String: Int],
        missing: [String: Int],
        examples: [String] = [],
        duplicates: Int = 0,
        drainSeconds: Double = 0,
        drained: Bool = true
    ) {
        self.expected = expected
        self.missing = missing
        self.loss = missing.filter { !Self.bestEffortKinds.contains($0.key) }.values.reduce(0, +)
        self.bestEffortMissing = missing.filter { Self.bestEffortKinds.contains($0.key) }.values.reduce(0, +)
        self.examples = examples
        self.duplicates = duplicates
        self.drainSeconds = drainSeconds
        self.drained = drained
    }
}
