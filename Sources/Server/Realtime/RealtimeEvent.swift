import Foundation

/// One committed transition as received from the `exchange:events` channel (the message
/// ``EventPublisher`` writes), ready to be framed for each room it belongs to.
struct RealtimeEvent: Sendable, Equatable {
    var requestId: String
    var ownerId: String
    /// The request's status after the transition (`toStatus`).
    var status: String
    var fromStatus: String
    var seq: Int
    var event: String
    /// The event's `data` object as JSON text.
    var data: String
    var publishedAt: String
    /// Wall-clock nanoseconds since 1970 at publish time, for `ws_delivery_lag_seconds`.
    var publishedAtNs: Int

    /// Decodes a published message; `nil` for anything that isn't one (logged and dropped by
    /// the fan-out, never delivered).
    init?(payload: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let requestId = object["requestId"] as? String, UUIDText.isValid(requestId),
              let ownerId = object["ownerId"] as? String,
              let status = object["status"] as? String,
              let seq = (object["seq"] as? NSNumber)?.intValue, seq > 0,
              let event = object["event"] as? String
        else { return nil }
        self.requestId = requestId.lowercased()
        self.ownerId = ownerId
        self.status = status
        self.fromStatus = object["fromStatus"] as? String ?? ""
        self.seq = seq
        self.event = event
        if let data = object["data"], JSONSerialization.isValidJSONObject(data),
           let text = try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys, .withoutEscapingSlashes]) {
            self.data = String(decoding: text, as: UTF8.self)
        } else {
            self.data = "{}"
        }
        self.publishedAt = object["publishedAt"] as? String ?? ""
        self.publishedAtNs = (object["publishedAtNs"] as? NSNumber)?.intValue ?? 0
    }

    init(requestId: String, ownerId: String, status: String, fromStatus: String, seq: Int, event: String,
         data: String = "{}", publishedAt: String = "", publishedAtNs: Int = 0) {
        self.requestId = requestId
        self.ownerId = ownerId
        self.status = status
        self.fromStatus = fromStatus
        self.seq = seq
        self.event = event
        self.data = data
        self.publishedAt = publishedAt
        self.publishedAtNs = publishedAtNs
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
            ("data", .raw(data)),
            ("publishedAt", .string(publishedAt)),
        ]).serialized
    }
}
