import Foundation
import PostgresClient
import Testing

@testable import Server

/// Issue 12 item 14: the server's database role reads and writes rows and can do nothing else.
@Suite struct LeastPrivilegeTests {
    static let whoAmI = PostgresQuery(
        "t_current_user",
        "SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super"
    )

    @Test func theServerConnectsAsTheApplicationRoleAndMigrationsAsTheOwner() async throws {
        try await TestExchange.migrateOnce()
        let settings = TestExchange.configuration()
        let app = PostgresPool(configuration: PostgresConfiguration(url: settings.db.primary.url, name: "t-app-role", poolSize: 1))
        let owner = PostgresPool(configuration: PostgresConfiguration(url: settings.db.migrationUrl, name: "t-owner-role", poolSize: 1))
        defer {
            app.close()
            owner.close()
        }
        let appRow = try #require(try await app.query(Self.whoAmI).first)
        #expect(try appRow.decode("who", as: String.self) == "exchange_app")
        #expect(try appRow.decode("super", as: Bool.self) == false)
        #expect(try await owner.query(Self.whoAmI).first?.decode("who", as: String.self) == "exchange_owner")
        let tableOwner = PostgresQuery("t_table_owner", "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'requests'::regclass")
        #expect(try await app.query(tableOwner).first?.decode("owner", as: String.self) == "exchange_owner")
    }

    @Test(arguments: [
        "ALTER TABLE requests ADD COLUMN t_intruder int",
        "ALTER TABLE request_events DISABLE TRIGGER request_events_no_update",
        "ALTER TABLE request_events DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "CREATE TABLE t_intruder (x int)",
        "DROP TABLE outbox",
        "TRUNCATE request_events",
        "UPDATE request_events SET event = 'tampered' WHERE false",
        "DELETE FROM request_events WHERE false",
        "DELETE FROM schema_migrations WHERE false",
    ])
    func theApplicationRoleIsRefused(_ statement: String) async throws {
        try await TestExchange.migrateOnce()
        let app = PostgresPool(
            configuration: PostgresConfiguration(url: TestExchange.configuration().db.primary.url, name: "t-app-refused", poolSize: 1)
        )
        defer { app.close() }
        do {
            try await app.execute(statement)
            Issue.record("the application role was allowed: \(statement)")
        } catch let error as PostgresError {
            // 42501 insufficient_privilege; 42P01-free: the objects exist.
            #expect(error.sqlState == "42501", "\(statement): \(error)")
        }
    }

    @Test func theApplicationRoleSeesTheReplicaStreaming() async throws {
        let app = PostgresPool(
            configuration: PostgresConfiguration(url: TestExchange.configuration().db.replica.url, name: "t-app-replica", poolSize: 1)
        )
        defer { app.close() }
        let status = PostgresQuery("t_receiver", "SELECT status FROM pg_stat_wal_receiver")
        #expect(try await app.query(status).first?.decode("status", as: String?.self) == "streaming")
    }
}
