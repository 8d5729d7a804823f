import Foundation
import PostgresClient
import TestSupport
import Testing

/// Issue 12 item 9: keepalives on every connection, and a statement whose caller gave up (or
/// whose server stopped answering) frees its pool slot instead of holding it forever.
@Suite(.serialized) struct DeadConnectionTests {
    static let url = PostgresPoolTests.primaryURL
    static let backend = PostgresQuery(
        "t_backend_of",
        """
        SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY backend_start LIMIT 1
        """
    )
    static let sleeping = PostgresQuery(
        "t_sleeping",
        """
        SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE '%pg_sleep%'
        """
    )

    static func name() -> String { "t-dead-\(UInt32.random(in: 0...UInt32.max))" }

    @Test func keepalivesAndUserTimeoutAreSetOnEveryConnection() async throws {
        let connection = try await PostgresConnection.connect(configuration: PostgresConfiguration(url: Self.url, name: Self.name()))
        defer { connection.close() }
        let options = try await connection.options()
        #expect(options["keepalives"] == "1")
        #expect(options["keepalives_idle"] == "10")
        #expect(options["keepalives_interval"] == "5")
        #expect(options["keepalives_count"] == "3")
        #expect(options["tcp_user_timeout"] == "30000")
    }

    @Test func aStoppedBackendFailsTheCallerAndThePoolRecovers() async throws {
        let name = Self.name()
        var configuration = PostgresConfiguration(
            url: Self.url,
            name: name,
            poolSize: 1,
            acquireTimeout: .seconds(30),
            statementTimeout: .milliseconds(500)
        )
        configuration.responseTimeout = .seconds(1)
        let pool = PostgresPool(configuration: configuration)
        let observer = PostgresPool(configuration: PostgresConfiguration(url: Self.url, name: name + "-observer", poolSize: 1))
        defer {
            pool.close()
            observer.close()
        }
        _ = try await pool.query(PostgresPoolTests.one)
        let found = try await observer.query(Self.backend, ["exchange-\(name)"]).first?.decode("pid", as: Int.self)
        let pid = pid_t(try #require(found))
        // The backend stops answering (as if its packets were dropped); it resumes at the end.
        #expect(kill(pid, SIGSTOP) == 0)
        defer { kill(pid, SIGCONT) }
        let started = ContinuousClock.now
        await #expect {
            _ = try await pool.query(PostgresPoolTests.one)
        } throws: { error in
            guard case .abandoned = error as? PostgresError else { return false }
            return true
        }
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(10), "the caller was answered after the response timeout, not never: \(waited)")
        #expect(pool.statistics().used == 0, "the slot is free again")
        // The stopped backend still holds its connection; the pool opens another and answers.
        #expect(try await pool.query(PostgresPoolTests.one).count == 1)
    }

    @Test func aCancelledCallerCancelsItsStatementAndFreesTheSlot() async throws {
        let name = Self.name()
        let pool = PostgresPool(configuration: PostgresConfiguration(url: Self.url, name: name, poolSize: 1, statementTimeout: .seconds(60)))
        let observer = PostgresPool(configuration: PostgresConfiguration(url: Self.url, name: name + "-observer", poolSize: 1))
        defer {
            pool.close()
            observer.close()
        }
        let task = Task { try await pool.query(PostgresPoolTests.sleep, [30.0]) }
        try await eventually("the statement running") {
            try await observer.query(Self.sleeping, ["exchange-\(name)"]).first?.decode("n", as: Int.self) == 1
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // PQcancel reached the server: the sleep is gone long before its 30 s.
        try await eventually("the statement cancelled") {
            try await observer.query(Self.sleeping, ["exchange-\(name)"]).first?.decode("n", as: Int.self) == 0
        }
        #expect(pool.statistics().used == 0)
        #expect(try await pool.query(PostgresPoolTests.one).count == 1)
        // Closing the pool closes its connections' sockets (not left to deinit).
        pool.close()
        try await eventually("the pool's backends gone") {
            try await observer.query(PostgresPoolTests.backends, ["exchange-\(name)"]).first?.decode("n", as: Int.self) == 0
        }
    }
}
