import Foundation
import WireJSON

/// A message the simulator accepted (answered 200), as `GET /messages` lists it.
public struct ReceivedMessage: Sendable, Equatable {
    /// The provider's id for the message; a duplicate carries the id of the first acceptance.
    public var id: String
    /// Arrival number, 1-based, increasing across the simulator's life (not reset by `DELETE /messages`).
    public var seq: Int
    public var kind: MessageKind
    public var to: String?
    public var subject: String?
    public var body: String?
    public var idempotencyKey: String
    public var requestId: String?
    public var data: [String: JSON]?
    /// Whether an earlier message of the same kind had the same idempotency key.
    public var duplicate: Bool
    public var receivedAt: Date

    public init(id: String, seq: Int, incoming: IncomingMessage, duplicate: Bool, receivedAt: Date) {
        self.id = id
        self.seq = seq
        self.kind = incoming.kind
        self.to = incoming.to
        self.subject = incoming.subject
        self.body = incoming.body
        self.idempotencyKey = incoming.idempotencyKey
        self.requestId = incoming.requestId
        self.data = incoming.data
        self.duplicate = duplicate
        self.receivedAt = receivedAt
    }
}

extension ReceivedMessage: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, seq, kind, to, subject, body, idempotencyKey, requestId, data, duplicate, receivedAt
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `to`, `body` and `requestId` are always present (null when absent); `subject` and `data` only when set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.seq, forKey: .seq)
        try container.encode(self.kind, forKey: .kind)
        try container.encode(self.to, forKey: .to)
        try container.encodeIfPresent(self.subject, forKey: .subject)
        try container.encode(self.body, forKey: .body)
        try container.encode(self.idempotencyKey, forKey: .idempotencyKey)
        try container.encode(self.requestId, forKey: .requestId)
        try container.encodeIfPresent(self.data, forKey: .data)
        try container.encode(self.duplicate, forKey: .duplicate)
        try container.encode(self.receivedAt.formatted(Self.timestampStyle), forKey: .receivedAt)
    }
}
