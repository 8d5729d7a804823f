/// The durable queues of DESIGN.md §6, most urgent first.
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

/// One side effect to perform: a provider call with an idempotency key.
public struct SideEffectJob: Sendable, Equatable {
    public var queue: QueueName
    public var kind: SideEffectKind
    /// Suffix of the idempotency key; the full key prefixes the request id and event seq.
    public var key: String
    /// The provider request body, without `idempotencyKey` (added when sent).
    public var payload: JSON

    /// The `jsonb` element the outbox insert expects.
    var outboxElement: JSON {
        .object([("queue", .string(queue.rawValue)), ("kind", .string(kind.rawValue)), ("key", .string(key)), ("payload", payload)])
    }

    static func outboxArray(_ jobs: [SideEffectJob]) -> String {
        JSON.array(jobs.map(\.outboxElement)).serialized
    }
}
