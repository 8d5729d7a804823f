/// Compares what a run acknowledged with what arrived: pure, for ``LossAudit`` and tests.
///
/// Per committed event `(request, seq, status)` (docs/design.md §6, `JobKey`): an analytics
/// event `<request>:<seq>:events`; after creation (seq > 1) an owner notification
/// `<request>:<seq>:email`; on completion a webhook `<request>:<seq>:webhook`; and the event
/// itself in `/sync`. Per accepted OTP request: one more distinct SMS key to that phone.
public enum LossCheck {
    /// A message the provider simulator accepted.
    public struct Delivered: Sendable, Equatable, Decodable {
        public var kind: String
        public var to: String?
        public var idempotencyKey: String
        public var duplicate: Bool?

        public init(kind: String, to: String?, idempotencyKey: String, duplicate: Bool? = nil) {
            self.kind = kind
            self.to = to
            self.idempotencyKey = idempotencyKey
            self.duplicate = duplicate
        }
    }

    /// - Parameter synced: request id → the event seqs `/sync?afterSeq=0` returned (absent:
    ///   not read, counted missing).
    public static func compare(
        _ ledger: CommitLedger.Snapshot,
        delivered: [Delivered],
        synced: [String: Set<Int>]
    ) -> LossReport {
        var keys: [String: Set<String>] = [:]
        var smsKeysByPhone: [String: Set<String>] = [:]
        var duplicates = 0
        for message in delivered {
            keys[message.kind, default: []].insert(message.idempotencyKey)
            if message.kind == "sms", let to = message.to { smsKeysByPhone[to, default: []].insert(message.idempotencyKey) }
            if message.duplicate == true { duplicates += 1 }
        }
        var expected: [String: Int] = [:]
        var missing: [String: Int] = [:]
        var examples: [String] = []
        func expect(_ kind: String, present: Bool, _ example: @autoclosure () -> String, count: Int = 1) {
            expected[kind, default: 0] += count
            guard !present else { return }
            missing[kind, default: 0] += count
            if examples.count < 10 { examples.append("\(kind) \(example())") }
        }
        for (phone, accepted) in ledger.otp.sorted(by: { $0.key < $1.key }) {
            let arrived = smsKeysByPhone[phone]?.count ?? 0
            expected["otp_sms", default: 0] += accepted
            if arrived < accepted {
                missing["otp_sms", default: 0] += accepted - arrived
                if examples.count < 10 { examples.append("otp_sms \(phone) (\(arrived) of \(accepted))") }
            }
        }
        for (request, events) in ledger.events.sorted(by: { $0.key < $1.key }) {
            for (seq, status) in events.sorted(by: { $0.key < $1.key }) {
                let prefix = "\(request):\(seq)"
                expect("analytics", present: keys["events"]?.contains(prefix + ":events") == true, prefix + ":events")
                if seq > 1 {
                    expect("email", present: keys["email"]?.contains(prefix + ":email") == true, prefix + ":email")
                }
                if status == "completed" {
                    expect("webhook", present: keys["webhook"]?.contains(prefix + ":webhook") == true, prefix + ":webhook")
                }
                expect("sync_event", present: synced[request]?.contains(seq) == true, "\(request)#\(seq)")
            }
        }
        return LossReport(expected: expected, missing: missing, examples: examples, duplicates: duplicates)
    }
}
