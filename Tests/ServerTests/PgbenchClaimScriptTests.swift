import Foundation
import PostgresClient
import Testing

@testable import Server

/// `scripts/bench-claim` compares HTTP claims with pgbench running `bench claim-sql`: that
/// script must commit what the server commits for a claim, outbox rows included.
@Suite struct PgbenchClaimScriptTests {
    static let seed = PostgresQuery(
        "t_pgbench_seed",
        """
        INSERT INTO requests (user_id, status, fiat_currency, fiat_amount, crypto_currency, last_seq)
        VALUES ($1::uuid, 'pending', 'USD', 10.00, 'BTC', 0) RETURNING id::text AS id
        """
    )
    /// What a claim wrote, with the request's own id blanked so two requests compare.
    static let written = PostgresQuery(
        "t_pgbench_written",
        """
        SELECT r.status, r.assigned_operator::text AS operator, r.last_seq,
               (SELECT string_agg(e.seq || ' ' || e.event || ' ' || e.actor_role, ',') FROM request_events e WHERE e.request_id = r.id) AS events,
               (SELECT string_agg(o.queue || ' ' || o.kind || ' ' || replace(o.idempotency_key, r.id::text, 'R') || ' '
                       || replace(o.payload::text, r.id::text, 'R'), ',' ORDER BY o.kind)
                FROM outbox o WHERE o.request_id = r.id) AS outbox
        FROM requests r WHERE r.id = $1::uuid
        """
    )

    @Test func theScriptCommitsWhatAnHTTPClaimCommits() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let pool = exchange.services.database.primary
            func seeded() async throws -> String {
                try #require(try await pool.query(Self.seed, [user.userID]).first?.decode("id", as: String.self))
            }
            let viaHTTP = try await seeded()
            let viaScript = try await seeded()
            #expect(try await exchange.call(.POST, "/api/requests/\(viaHTTP)/claim", token: op.token).status == 200)
            let statements = RequestStore.pgbenchClaimScript().split(separator: "\n").map(String.init)
            #expect(statements.first?.hasSuffix("\\gset") == true)
            try await pool.withConnection { connection in
                for statement in statements.dropFirst() {
                    try await connection.execute(
                        statement.replacingOccurrences(of: ":rid", with: "'\(viaScript)'")
                            .replacingOccurrences(of: ":op", with: "'\(op.userID)'")
                            .replacingOccurrences(of: ":owner", with: "'\(user.userID)'")
                    )
                }
            }
            let http = try #require(try await pool.query(Self.written, [viaHTTP]).first)
            let script = try #require(try await pool.query(Self.written, [viaScript]).first)
            for column in ["status", "operator", "events", "outbox"] {
                #expect(try http.decode(column, as: String.self) == script.decode(column, as: String.self), "\(column)")
            }
            #expect(try script.decode("outbox", as: String.self).contains("email"))
        }
    }
}
