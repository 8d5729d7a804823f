import Foundation
import PostgresClient
import WireJSON

/// Column lists and row decoding shared by every statement that returns requests or events.
enum RequestRows {
    static let requestColumns = """
        id, user_id, status, fiat_currency, fiat_amount::text AS fiat_amount, crypto_currency,
        assigned_operator, created_at, updated_at, assigned_at, processing_started_at, completed_at, last_seq, ever_assigned
        """

    static let eventColumns = "request_id, seq, event, from_status, to_status, actor_id, actor_role, data::text AS data, created_at"

    static func request(_ row: PostgresRow) throws -> ExchangeRequest {
        guard let status = RequestStatus(rawValue: try row.decode("status", as: String.self)) else {
            throw PostgresError.decoding(column: "status", reason: "unknown status")
        }
        return ExchangeRequest(
            id: try row.decode("id"),
            userId: try row.decode("user_id"),
            status: status,
            fiatCurrency: try row.decode("fiat_currency"),
            fiatAmount: try row.decode("fiat_amount"),
            cryptoCurrency: try row.decode("crypto_currency"),
            assignedOperator: try row.decode("assigned_operator", as: String?.self),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"),
            assignedAt: try row.decode("assigned_at", as: Date?.self),
            processingStartedAt: try row.decode("processing_started_at", as: Date?.self),
            completedAt: try row.decode("completed_at", as: Date?.self),
            lastSeq: try row.decode("last_seq"),
            everAssigned: try row.decode("ever_assigned")
        )
    }

    static func event(_ row: PostgresRow) throws -> RequestEvent {
        guard let from = RequestStatus(rawValue: try row.decode("from_status", as: String.self)),
            let to = RequestStatus(rawValue: try row.decode("to_status", as: String.self))
        else { throw PostgresError.decoding(column: "to_status", reason: "unknown status") }
        return RequestEvent(
            requestId: try row.decode("request_id"),
            seq: try row.decode("seq"),
            event: try row.decode("event"),
            fromStatus: from,
            toStatus: to,
            actorId: try row.decode("actor_id"),
            actorRole: try row.decode("actor_role"),
            data: JSON.parse(try row.decode("data", as: String.self)) ?? [:],
            createdAt: try row.decode("created_at")
        )
    }
}
