import Synchronization

/// What a run was told succeeded: sign-in codes the server accepted (`POST /api/auth/otp`
/// answered 2xx) and transitions it committed (answered 2xx, with their event `seq`). The
/// loss check (``LossCheck``) holds the provider simulator and `/sync` to it.
public final class CommitLedger: Sendable {
    /// A copy of the ledger.
    public struct Snapshot: Sendable, Equatable {
        /// Phone → accepted OTP requests.
        public var otp: [String: Int] = [:]
        /// Request id → event seq → the status the event put it in.
        public var events: [String: [Int: String]] = [:]

        public init(otp: [String: Int] = [:], events: [String: [Int: String]] = [:]) {
            self.otp = otp
            self.events = events
        }
    }

    private let state = Mutex(Snapshot())
    /// A token allowed to read every request's `/sync` (an operator's).
    private let token = Mutex<String?>(nil)

    public init() {}

    public func otpAccepted(phone: String) {
        state.withLock { $0.otp[phone, default: 0] += 1 }
    }

    public func committed(requestID: String, seq: Int, status: String) {
        state.withLock { $0.events[requestID, default: [:]][seq] = status }
    }

    public var syncToken: String? {
        get { token.withLock { $0 } }
        set { token.withLock { $0 = newValue } }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
}
