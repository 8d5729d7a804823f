import Foundation

/// Idempotency keys, built in one place. A key names the event that caused the job and the
/// job's kind, so a retry, a redelivery or a sync-mode failure recorded for retry all carry
/// the same key and the provider performs the call once:
///
/// - `<requestId>:<seq>:<kind>` for the side effects of a request's event `seq`;
/// - `otp:<uuid>:sms` for a sign-in code (one uuid per code issued).
public struct JobKey: Sendable, Equatable {
    /// Everything before the kind.
    public let prefix: String

    public static func event(requestID: String, seq: Int) -> JobKey {
        JobKey(prefix: "\(requestID):\(seq)")
    }

    /// A fresh key for a newly issued code.
    public static func newCode() -> JobKey {
        JobKey(prefix: "otp:\(UUID().uuidString.lowercased())")
    }

    public func job(_ kind: SideEffectKind) -> String {
        "\(prefix):\(kind.rawValue)"
    }
}
