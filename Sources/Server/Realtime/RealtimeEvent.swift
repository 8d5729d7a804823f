import Foundation
import WireJSON

/// One committed transition as it travels on the `exchange:events` channel: written by
/// ``EventPublisher`` after commit, read by every instance's fan-out, framed for each room it
/// belongs to. The one type of that message, on both sides.
public struct RealtimeEvent: Codable, Sendable, Equatable {
    public var requestId: String
    public var ownerId: String
    /// The request's status after the transition (`toStatus`).
    public var status: String
    public var fromStatus: String
    public var seq: Int
    public var event: String
    /// The event's `data` object.
    public var data: JSON = [:]
    public var publishedAt: String = ""
    /// Wall-clock nanoseconds since 1970 at publish time, for `ws_delivery_lag_seconds`.
    public var publishedAtNs: Int = 0

}

extension RealtimeEvent {
    /// The message for `event` of `request`, stamped with the publish time.
    public init(_ event: RequestEvent, of request: ExchangeRequest, publishedAt: Date) {
        self.init(
            requestId: request.id,
            ownerId: request.userId,
            status: request.status.rawValue,
            fromStatus: event.fromStatus.rawValue,
            seq: event.seq,
            event: event.event,
            data: event.data,
            publishedAt: ISO8601.string(publishedAt),
            publishedAtNs: Int(publishedAt.timeIntervalSince1970 * 1e9)
        )
    }

    /// The message's bytes on the channel: the Codable form, written by WireJSON (a fraction of
    /// `JSONEncoder`'s cost on every transition) under the same coding keys.
    public func encoded() -> String {
        JSON.object([
            (CodingKeys.requestId.stringValue, .string(requestId)),
            (CodingKeys.ownerId.stringValue, .string(ownerId)),
            (CodingKeys.status.stringValue, .string(status)),
            (CodingKeys.fromStatus.stringValue, .string(fromStatus)),
            (CodingKeys.seq.stringValue, .int(seq)),
            (CodingKeys.event.stringValue, .string(event)),
            (CodingKeys.data.stringValue, data),
            (CodingKeys.publishedAt.stringValue, .string(publishedAt)),
            (CodingKeys.publishedAtNs.stringValue, .int(publishedAtNs)),
        ]).serialized
    }

    /// Decodes a published message; `nil` for anything that isn't one (logged and dropped by
    /// the fan-out, never delivered).
    public init?(payload: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(RealtimeEvent.self, from: Data(payload)),
            UUIDText.isValid(decoded.requestId), decoded.seq > 0
        else { return nil }
        self = decoded
        requestId = requestId.lowercased()
    }

    /// The `event` frame for `room` (docs/design.md §5), plus `fromStatus`/`toStatus` so a client of
    /// the operators' feed can tell a new request from a release without a lookup.
    func frame(room: Room) -> String {
        JSON.object([
            ("type", "event"),
            ("room", .string(room.description)),
            ("requestId", .string(requestId)),
            ("seq", .int(seq)),
            ("event", .string(event)),
            ("fromStatus", .string(fromStatus)),
            ("toStatus", .string(status)),
            ("data", data),
            ("publishedAt", .string(publishedAt)),
        ]).serialized
    }
}
