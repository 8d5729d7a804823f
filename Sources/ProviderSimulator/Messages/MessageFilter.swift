/// The query of `GET /messages`: every set field must match; `limit` keeps the latest matches.
public struct MessageFilter: Sendable, Equatable {
    public var kind: MessageKind?
    public var to: String?
    public var requestId: String?
    public var idempotencyKey: String?
    /// At most this many messages, the most recent ones (still listed oldest first). `nil`: all.
    public var limit: Int?

    public init(
        kind: MessageKind? = nil,
        to: String? = nil,
        requestId: String? = nil,
        idempotencyKey: String? = nil,
        limit: Int? = nil
    ) {
        self.kind = kind
        self.to = to
        self.requestId = requestId
        self.idempotencyKey = idempotencyKey
        self.limit = limit
    }

    public func matches(_ message: ReceivedMessage) -> Bool {
        if let kind = self.kind, message.kind != kind { return false }
        if let to = self.to, message.to != to { return false }
        if let requestId = self.requestId, message.requestId != requestId { return false }
        if let key = self.idempotencyKey, message.idempotencyKey != key { return false }
        return true
    }
}
