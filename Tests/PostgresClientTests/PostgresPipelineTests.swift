import Foundation
import PostgresClient
import Testing

/// Transactions whose `BEGIN` travels with the first statement and whose `COMMIT` travels with
/// the last (`query(_:_:thenCommit:)`), against the real PostgreSQL of `scripts/dev-services`.
@Suite struct PostgresPipelineTests {
    func makePool(preparedStatements: Bool = true) -> PostgresPool {
        var configuration = PostgresConfiguration(url: PostgresPoolTests.primaryURL, name: "pipe\(UInt32.random(in: 0...UInt32.max))", poolSize: 1)
        configuration.preparedStatements = preparedStatements
        return PostgresPool(configuration: configuration)
    }

    /// A scratch table, dropped by `body`'s caller afterwards.
    func withTable(_ pool: PostgresPool, columns: String = "v int", _ body: (String) async throws -> Void) async throws {
        let table = "pipe_\(UInt32.random(in: 0...UInt32.max))"
        try await pool.execute("CREATE TABLE \(table) (\(columns))")
        do {
            try await body(table)
        } catch {
            try? await pool.execute("DROP TABLE \(table)")
            throw error
        }
        try await pool.execute("DROP TABLE \(table)")
    }

    static let transactionTime = PostgresQuery("pipe_now", "SELECT now()::text AS t, txid_current() AS x")
    static let clock = PostgresQuery("pipe_clock", "SELECT now()::text AS t FROM pg_sleep(0.002)")

    /// Whether the pool's one connection is inside an open transaction: two statements in a
    /// row see the same `now()` only then (a failed transaction makes them throw 25P02).
    func insideTransaction(_ pool: PostgresPool) async throws -> Bool {
        let first = try await pool.query(Self.clock).first?.decode("t", as: String.self)
        let second = try await pool.query(Self.clock).first?.decode("t", as: String.self)
        return first == second
    }

    /// The transaction ids the first statement and the committing last statement of one
    /// pipelined transaction see.
    func firstAndLastTransactionIDs(_ pool: PostgresPool) async throws -> (first: Int64, last: Int64) {
        try await pool.transaction { connection in
            let first = try #require(try await connection.query(Self.transactionTime).first)
            let last = try #require(try await connection.query(Self.transactionTime, thenCommit: true).first)
            return (try first.decode("x", as: Int64.self), try last.decode("x", as: Int64.self))
        }
    }

    @Test func firstAndLastStatementShareOneTransaction() async throws {
        let pool = makePool()
        defer { pool.close() }
        let (first, last) = try await firstAndLastTransactionIDs(pool)
        // One transaction id for both: the BEGIN went out with the first statement.
        #expect(first == last)
        // And it ended with the last: the next transaction has a new id.
        let next = try await pool.transaction { connection in
            try #require(try await connection.query(Self.transactionTime, thenCommit: true).first).decode("x", as: Int64.self)
        }
        #expect(next != last)
        // A later statement outside a transaction is not inside an open one.
        let inside = try await insideTransaction(pool)
        #expect(inside == false)
    }

    /// Behind a transaction-pooling PgBouncer (`preparedStatements` off) the pipeline sends
    /// unnamed statements, still one transaction per pipeline pair.
    @Test func unnamedStatementsShareOneTransactionToo() async throws {
        let pool = makePool(preparedStatements: false)
        defer { pool.close() }
        let (first, last) = try await firstAndLastTransactionIDs(pool)
        #expect(first == last)
        let inside = try await insideTransaction(pool)
        #expect(inside == false)
    }

    @Test func committedWriteIsVisibleAndStatementsPrepareInsidePipelines() async throws {
        let pool = makePool()
        defer { pool.close() }
        try await withTable(pool) { table in
            let insert = PostgresQuery("pipe_insert_\(table)", "INSERT INTO \(table) VALUES ($1::int) RETURNING v")
            let count = PostgresQuery("pipe_count_\(table)", "SELECT count(*) AS n FROM \(table)")
            // The first run prepares `insert` inside the pipeline, the second reuses it.
            for value in [1, 2] {
                let row = try await pool.transaction { connection in
                    try await connection.query(insert, [value], thenCommit: true).first!
                }
                #expect(try row.decode("v", as: Int.self) == value)
            }
            let rows = try await pool.query(count).first!.decode("n", as: Int.self)
            #expect(rows == 2)
        }
    }

    @Test func failureInTheCommittingStatementRollsBackTheWholeTransaction() async throws {
        let pool = makePool()
        defer { pool.close() }
        try await withTable(pool) { table in
            let insert = PostgresQuery("pipe_ins_\(table)", "INSERT INTO \(table) VALUES ($1::int)")
            let divide = PostgresQuery("pipe_div_\(table)", "SELECT 1 / $1::int AS q")
            try await expectRolledBack(pool, table, sqlState: "22012") { connection in
                _ = try await connection.query(insert, [1])
                _ = try await connection.query(divide, [0], thenCommit: true)
            }
        }
    }

    @Test func failureInTheFirstStatementRollsBack() async throws {
        let pool = makePool()
        defer { pool.close() }
        try await expectRolledBack(pool, sqlState: "22012") { connection in
            _ = try await connection.query(PostgresQuery("pipe_bad", "SELECT 1 / 0 AS q"))
        }
    }

    @Test func failedCommitIsReportedAndNothingStays() async throws {
        let pool = makePool()
        defer { pool.close() }
        try await withTable(pool, columns: "v int UNIQUE DEFERRABLE INITIALLY DEFERRED") { table in
            let insert = PostgresQuery("pipe_dup_\(table)", "INSERT INTO \(table) VALUES ($1::int)")
            // The duplicate is only detected by the COMMIT that travels with the second insert.
            try await expectRolledBack(pool, table, sqlState: "23505") { connection in
                _ = try await connection.query(insert, [7])
                _ = try await connection.query(insert, [7], thenCommit: true)
            }
        }
    }

    @Test func bodyWithoutStatementsSendsNoTransaction() async throws {
        let pool = makePool()
        defer { pool.close() }
        let value = try await pool.transaction { _ in 42 }
        #expect(value == 42)
        let inside = try await insideTransaction(pool)
        #expect(inside == false)
    }

    /// Nothing of a rolled-back transaction stayed in `table`.
    /// `body`, run as one pipelined transaction, fails with `sqlState`; nothing it wrote to
    /// `table` stays, and the connection was rolled back, not left in a failed transaction.
    func expectRolledBack(
        _ pool: PostgresPool,
        _ table: String? = nil,
        sqlState: String,
        _ body: @escaping (PostgresConnection) async throws -> Void
    ) async throws {
        await #expect {
            try await pool.transaction(body)
        } throws: { ($0 as? PostgresError)?.sqlState == sqlState }
        if let table {
            let count = PostgresQuery("pipe_count_\(table)", "SELECT count(*) AS n FROM \(table)")
            #expect(try await pool.query(count).first?.decode("n", as: Int.self) == 0)
        }
        #expect(try await insideTransaction(pool) == false)
    }
}
