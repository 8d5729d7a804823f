import WireJSON

/// The durable queues of docs/design.md §6, most urgent first.
public enum QueueName: String, Sendable, CaseIterable {
    case critical, standard, analytics

    /// Attempts before a job is dead-lettered (analytics: best effort, one try).
    public var maxAttempts: Int {
        switch self {
        case .critical: 5
        case .standard: 3
        case .analytics: 1
        }
    }
}

/// Which provider endpoint a side effect calls.
public enum SideEffectKind: String, Sendable, CaseIterable {
    case sms, email, webhook, events

    var path: String { "/\(rawValue)" }
}

/// One side effect to perform: a provider call with its idempotency key. The same value goes
/// into the outbox (queued mode) or straight to the provider (sync mode).
public struct SideEffectJob: Sendable, Equatable {
    public var queue: QueueName
    public var kind: SideEffectKind
    /// The idempotency key, built by ``JobKey``; the provider dedupes by it.
    public var key: String
    /// The request the job belongs to, if any (the outbox's `request_id`).
    public var requestID: String?
    /// The provider request body, without `idempotencyKey` (added when sent).
    public var payload: JSON

    public init(queue: QueueName, kind: SideEffectKind, key: String, requestID: String?, payload: JSON) {
        self.queue = queue
        self.kind = kind
        self.key = key
        self.requestID = requestID
        self.payload = payload
    }
}
