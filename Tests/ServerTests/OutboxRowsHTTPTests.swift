import Foundation
import PostgresClient
import Testing

/// Queued mode: each transition's own transaction writes its side effects to the outbox.
@Suite struct OutboxRowsHTTPTests {
    static let rows = PostgresQuery(
        "t_outbox_rows",
        """
        SELECT kind, idempotency_key, payload->>'requestId' AS payload_request FROM outbox WHERE request_id = $1::uuid ORDER BY id
        """
    )

    @Test func transitionsWriteKeyedJobsNamingTheirRequest() async throws {
        try await TestExchange.with({ $0.sideEffects.mode = .queued }) { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            for action in ["claim", "start", "complete"] { try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token) }
            let jobs = try await exchange.services.database.primary.query(Self.rows, [id]).rows.map {
                (
                    try $0.decode("kind", as: String.self), try $0.decode("idempotency_key", as: String.self),
                    try $0.decode("payload_request", as: String?.self)
                )
            }
            #expect(jobs.map(\.1).contains("\(id):1:events"), "creation's analytics event, keyed like sync mode")
            #expect(jobs.filter { $0.0 == "email" }.map(\.1) == ["\(id):2:email", "\(id):3:email", "\(id):4:email"])
            #expect(jobs.filter { $0.0 == "webhook" }.count == 1)
            #expect(jobs.filter { $0.0 == "events" }.count == 4)
            #expect(jobs.allSatisfy { $0.2 == id }, "every body names its request")
        }
    }
}
