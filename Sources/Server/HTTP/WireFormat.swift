import Foundation
import WireJSON

/// The JSON shapes of docs/design.md §4, in one place.
extension ExchangeRequest {
    public var json: JSON {
        .object([
            ("id", .string(id)),
            ("userId", .string(userId)),
            ("status", .string(status.rawValue)),
            ("fiatCurrency", .string(fiatCurrency)),
            ("fiatAmount", .string(fiatAmount)),
            ("cryptoCurrency", .string(cryptoCurrency)),
            ("assignedOperator", .optional(assignedOperator)),
            ("createdAt", .date(createdAt)),
            ("updatedAt", .date(updatedAt)),
            ("assignedAt", .date(assignedAt)),
            ("processingStartedAt", .date(processingStartedAt)),
            ("completedAt", .date(completedAt)),
            ("lastSeq", .int(lastSeq)),
        ])
    }
}

extension RequestEvent {
    public var json: JSON {
        .object([
            ("seq", .int(seq)),
            ("event", .string(event)),
            ("fromStatus", .string(fromStatus.rawValue)),
            ("toStatus", .string(toStatus.rawValue)),
            ("actorId", .string(actorId)),
            ("actorRole", .string(actorRole)),
            ("data", data),
            ("createdAt", .date(createdAt)),
        ])
    }
}

extension JSON {
    /// An ISO-8601 timestamp, or `null` when absent.
    static func date(_ value: Date?) -> JSON { value.map { .string(ISO8601.string($0)) } ?? .null }
}
