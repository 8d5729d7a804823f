import Foundation
import PostgresClient
import Testing

@testable import Server

/// Migrations, the append-only audit log, and the hot queries' plans.
@Suite struct SchemaTests {
    func pool() -> PostgresPool {
        PostgresPool(configuration: PostgresConfiguration(url: TestExchange.configuration().db.primary.url, name: "schema-test", poolSize: 2))
    }

    @Test func migrationsAreIdempotentAndSafeConcurrently() async throws {
        let settings = TestExchange.configuration()
        let pool = PostgresPool(configuration: PostgresConfiguration(url: settings.db.migrationUrl, name: "schema-test-owner", poolSize: 2))
        defer { pool.close() }
        let migrator = Migrator(pool: pool, appRole: settings.db.appRole)
        async let first = migrator.migrate()
        async let second = migrator.migrate()
        _ = try await (first, second)
        #expect(try await migrator.migrate().isEmpty)
        let versions = try await pool.query(PostgresQuery("t_versions", "SELECT count(*) AS n FROM schema_migrations")).first?.decode(
            "n",
            as: Int.self
        )
        #expect(versions == Migrations.all.count)
    }

    @Test func auditLogRefusesUpdateAndDelete() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let id = try await exchange.createRequest(user)
            let pool = exchange.services.database.primary
            for statement in [
                "UPDATE request_events SET event = 'tampered' WHERE request_id = $1::uuid",
                "DELETE FROM request_events WHERE request_id = $1::uuid",
            ] {
                await #expect(throws: PostgresError.self) {
                    _ = try await pool.query(PostgresQuery("t_tamper_\(statement.prefix(6))", statement), [id])
                }
            }
            let sync = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=0", token: user.token)
            #expect((sync.json["missedEvents"] as? [[String: Any]])?.first?["event"] as? String == "status:pending")
        }
    }

    /// Each hot statement must use an index, not a sequential scan of `requests`.
    @Test func hotQueriesUseIndexes() async throws {
        // Run alone on a fresh database, nothing else may have created the tables yet.
        try await TestExchange.migrateOnce()
        let pool = pool()
        defer { pool.close() }
        let user = "00000000-0000-0000-0000-000000000001"
        let plans: [(String, String)] = [
            ("lock", "EXPLAIN SELECT * FROM requests WHERE id = '\(user)'::uuid FOR UPDATE"),
            (
                "list all",
                "EXPLAIN "
                    + RequestStore.listQuery(byUser: false, byStatus: false).sql
                    .replacingOccurrences(of: "$1::timestamptz", with: "'infinity'::timestamptz")
                    .replacingOccurrences(of: "$2::uuid", with: "'\(user)'::uuid").replacingOccurrences(of: "$3", with: "51")
            ),
            (
                "list user",
                "EXPLAIN "
                    + RequestStore.listQuery(byUser: true, byStatus: false).sql
                    .replacingOccurrences(of: "$1::timestamptz", with: "'infinity'::timestamptz").replacingOccurrences(
                        of: "$2::uuid",
                        with: "'\(user)'::uuid"
                    )
                    .replacingOccurrences(of: "$3", with: "51").replacingOccurrences(of: "$4::uuid", with: "'\(user)'::uuid")
            ),
            (
                "list status",
                "EXPLAIN "
                    + RequestStore.listQuery(byUser: false, byStatus: true).sql
                    .replacingOccurrences(of: "$1::timestamptz", with: "'infinity'::timestamptz").replacingOccurrences(
                        of: "$2::uuid",
                        with: "'\(user)'::uuid"
                    )
                    .replacingOccurrences(of: "$3", with: "51").replacingOccurrences(of: "$4", with: "'pending'")
            ),
            ("events", "EXPLAIN SELECT * FROM request_events WHERE request_id = '\(user)'::uuid AND seq > 0 ORDER BY seq"),
            ("stats", "EXPLAIN SELECT count(*) FROM requests WHERE created_at >= now() - interval '1 hour' AND created_at < now()"),
            ("outbox", "EXPLAIN SELECT id FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT 100"),
            ("session", "EXPLAIN SELECT * FROM sessions WHERE token_hash = 'x'"),
        ]
        try await pool.withConnection { connection in
            // Plans on a small table would prefer scans; disable them to see what indexes exist.
            try await connection.execute("SET enable_seqscan = off")
            for (name, sql) in plans {
                let rows = try await connection.query(PostgresQuery("t_explain_\(name.replacingOccurrences(of: " ", with: "_"))", sql))
                let plan = try rows.rows.map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
                #expect(!plan.contains("Seq Scan"), "\(name):\n\(plan)")
                #expect(plan.contains("Index"), "\(name):\n\(plan)")
            }
            try await connection.execute("RESET enable_seqscan")
        }
    }
}
