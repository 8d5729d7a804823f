import Foundation
import PostgresClient
import WireJSON

/// Requests and their audit log in PostgreSQL. The statements only; what to change, and
/// whether it is allowed, is decided by the caller (``RequestService``) inside
/// ``transaction(_:)``, between locking the row and writing it.
public struct RequestStore: Sendable {
    let primary: PostgresPool

    public init(primary: PostgresPool) {
        self.primary = primary
    }

    static let byID = PostgresQuery(
        "request_get",
        """
        SELECT \(RequestRows.requestColumns) FROM requests WHERE id = $1::uuid
        """
    )

    static let eventsAfter = PostgresQuery(
        "request_events_after",
        """
        SELECT \(RequestRows.eventColumns) FROM request_events
        WHERE request_id = $1::uuid AND seq > $2 ORDER BY seq
        """
    )

    /// Runs `body` in one transaction on the primary, on the connection's own thread (one hop
    /// for all its statements); a throw rolls everything back.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (RequestTransaction) throws -> T) async throws -> T {
        try await primary.transactionOnThread { session in
            try body(RequestTransaction(session: session))
        }
    }

    public func find(id: String) async throws -> ExchangeRequest? {
        guard UUIDText.isValid(id) else { return nil }
        return try await primary.query(Self.byID, [id]).first.map(RequestRows.request)
    }

    /// The request and every event after `afterSeq`, from one snapshot (so `lastSeq` and the
    /// events agree even while transitions commit): two round trips, BEGIN + row, events + COMMIT.
    public func sync(id: String, afterSeq: Int) async throws -> (ExchangeRequest, [RequestEvent])? {
        guard UUIDText.isValid(id) else { return nil }
        return try await primary.transaction(isolation: .repeatableReadReadOnly) { connection in
            guard let row = try await connection.query(Self.byID, [id]).first else { return nil }
            let request = try RequestRows.request(row)
            let events = try await connection.query(Self.eventsAfter, [id, afterSeq], thenCommit: true).rows.map(RequestRows.event)
            return (request, events)
        }
    }
}

/// Path ids are UUIDs; anything else is a 404 without touching the database.
enum UUIDText {
    static func isValid(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    static func random() -> String {
        UUID().uuidString.lowercased()
    }
}
