/// Why a command (on a request, or a sign-in step) was not carried out. The HTTP layer maps
/// each case to the contract's envelope in one place (``APIError/init(_:)``).
public enum CommandError: Error, Sendable, Equatable {
    /// Refused by the lifecycle table or the access rules (404, 403, 409).
    case denied(Lifecycle.Denial)
    /// The command's input is invalid (422), checked after the state so that 409 outranks it.
    case invalid([FieldIssue])
    /// Too many attempts (429).
    case rateLimited(retryAfterSeconds: Int)
    /// A wrong or expired credential (401).
    case unauthorized(String)
    /// A dependency failed in a way the caller should retry (503).
    case unavailable(String)

    public struct FieldIssue: Sendable, Equatable {
        public var field: String
        public var reason: String

        public init(_ field: String, _ reason: String) {
            self.field = field
            self.reason = reason
        }
    }
}

/// How a transition's transaction ended, for `exchange_transition_duration_seconds{outcome}`.
public enum TransitionOutcome: String, Sendable, CaseIterable {
    case ok, conflict, error

    init(_ error: any Error) {
        if case CommandError.denied(.alreadyClaimed) = error {
            self = .conflict
            return
        }
        if case CommandError.denied(.invalidTransition) = error {
            self = .conflict
            return
        }
        self = .error
    }
}
