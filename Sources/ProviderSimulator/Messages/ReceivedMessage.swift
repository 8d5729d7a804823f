import Foundation
import WireJSON

/// A message the simulator accepted (answered 200), as `GET /messages` lists it: the validated
/// message plus what the simulator added. Its fields read through (`received.idempotencyKey`).
@dynamicMemberLookup
public struct ReceivedMessage: Sendable, Equatable {
    /// The provider's id for the message; a duplicate carries the id of the first acceptance.
    public var id: String
    /// Arrival number, 1-based, increasing across the simulator's life (not reset by `DELETE /messages`).
    public var seq: Int
    public var message: IncomingMessage
    /// Whether an earlier message of the same kind had the same idempotency key.
    public var duplicate: Bool
    public var receivedAt: Date

    public init(id: String, seq: Int, incoming: IncomingMessage, duplicate: Bool, receivedAt: Date) {
        self.id = id
        self.seq = seq
        self.message = incoming
        self.duplicate = duplicate
        self.receivedAt = receivedAt
    }

    public subscript<Value>(dynamicMember field: KeyPath<IncomingMessage, Value>) -> Value {
        message[keyPath: field]
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
        try container.encode(id, forKey: .id)
        try container.encode(seq, forKey: .seq)
        try container.encode(message.kind, forKey: .kind)
        try container.encode(message.to, forKey: .to)
        try container.encodeIfPresent(message.subject, forKey: .subject)
        try container.encode(message.body, forKey: .body)
        try container.encode(message.idempotencyKey, forKey: .idempotencyKey)
        try container.encode(message.requestId, forKey: .requestId)
        try container.encodeIfPresent(message.data, forKey: .data)
        try container.encode(duplicate, forKey: .duplicate)
        try container.encode(self.receivedAt.formatted(Self.timestampStyle), forKey: .receivedAt)
    }
}
