import Foundation
import Profiler

/// When a failed job runs again, and when it gives up (docs/design.md §6). Pure: the caller passes
/// the random draw, so tests pin every decision.
///
/// The delay before attempt `n + 1` is `baseDelay × multiplier^(n − 1)`, capped at `maxDelay`,
/// then spread by ±`jitter` (a fraction) so that jobs failing together don't retry together.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; after the last one fails the job is dead-lettered.
    public var maxAttempts: Int
    /// Nominal delay after the first failure.
    public var baseDelay: Duration
    public var multiplier: Double
    /// Upper bound of the nominal delay.
    public var maxDelay: Duration
    /// Spread of the delay: `0.2` draws it from 80 % to 120 % of the nominal value.
    public var jitter: Double

    public init(maxAttempts: Int, baseDelay: Duration = .seconds(1), multiplier: Double = 2, maxDelay: Duration = .seconds(60), jitter: Double = 0.2)
    {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The contract's policy: critical 5 attempts, standard 3, analytics 1 (best effort), with
    /// backoff from 1 s.
    public static func standard(for queue: QueueName) -> RetryPolicy {
        RetryPolicy(maxAttempts: queue.maxAttempts)
    }

    public enum Decision: Sendable, Equatable {
        /// Run attempt `attempt` after `delay`.
        case retry(attempt: Int, after: Duration)
        /// No attempts left: dead-letter the job.
        case deadLetter
    }

    /// What to do after attempt `failedAttempt` (1-based) failed; `random` is a draw in `[0, 1)`.
    public func decide(failedAttempt: Int, random: Double) -> Decision {
        guard failedAttempt < maxAttempts else { return .deadLetter }
        return .retry(attempt: failedAttempt + 1, after: delay(afterAttempt: failedAttempt, random: random))
    }

    /// The jittered delay after attempt `attempt` failed.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let nominal = nominalDelay(afterAttempt: attempt)
        let spread = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return nominal * spread
    }

    /// The delay before jitter: `baseDelay × multiplier^(attempt − 1)`, at most `maxDelay`.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let base = baseDelay.seconds
        let capped = min(base * pow(multiplier, exponent), maxDelay.seconds)
        return .nanoseconds(Int64((capped * 1e9).rounded()))
    }
}
