import Foundation
import PostgresClient
import Testing

/// `transactionOnThread`: the statements of a transaction and the Swift between them run on the
/// connection's thread, with the same `BEGIN`/`COMMIT` pipelining as async transactions.
@Suite struct TransactionOnThreadTests {
    let tests = PostgresPipelineTests()

    struct Refused: Error {}

    /// Rows in `table`, and whether the pool's connection was left inside a transaction.
    func state(of table: String, _ pool: PostgresPool) async throws -> (rows: Int?, inTransaction: Bool) {
        let count = PostgresQuery("thread_count_\(table)", "SELECT count(*) AS n FROM \(table)")
        let rows = try await pool.query(count).first?.decode("n", as: Int.self)
        return (rows, try await tests.insideTransaction(pool))
    }

    @Test func readDecideAndWriteAreOneTransaction() async throws {
        let pool = tests.makePool()
        defer { pool.close() }
        let (first, last) = try await pool.transactionOnThread { session in
            let first = try #require(try session.query(PostgresPipelineTests.transactionTime).first)
            let last = try #require(try session.query(PostgresPipelineTests.transactionTime, thenCommit: true).first)
            return (try first.decode("x", as: Int64.self), try last.decode("x", as: Int64.self))
        }
        #expect(first == last)
        let inside = try await tests.insideTransaction(pool)
        #expect(inside == false)
    }

    /// Runs `body` with a fresh pool and scratch table and the statement inserting into it,
    /// then returns the table's state (``state(of:_:)``).
    func afterInsertion(_ body: (PostgresPool, PostgresQuery) async throws -> Void) async throws -> (rows: Int?, inTransaction: Bool) {
        let pool = tests.makePool()
        defer { pool.close() }
        var result: (rows: Int?, inTransaction: Bool) = (nil, true)
        try await tests.withTable(pool) { table in
            try await body(pool, PostgresQuery("thread_ins_\(table)", "INSERT INTO \(table) VALUES ($1::int)"))
            result = try await state(of: table, pool)
        }
        return result
    }

    @Test func aBodyThatLeavesTheTransactionOpenIsCommitted() async throws {
        let (rows, inTransaction) = try await afterInsertion { pool, insert in
            try await pool.transactionOnThread { session in _ = try session.query(insert, [5]) }
        }
        #expect(rows == 1)
        #expect(inTransaction == false)
    }

    /// The decision between the statements refuses: nothing written stays, and the connection
    /// is back outside any transaction for the next caller.
    @Test func aThrowBetweenStatementsRollsBack() async throws {
        let (rows, inTransaction) = try await afterInsertion { pool, insert async throws in
            await #expect(throws: Refused.self) {
                try await pool.transactionOnThread { session in
                    _ = try session.query(insert, [1])
                    throw Refused()
                }
            }
        }
        #expect(rows == 0)
        #expect(inTransaction == false)
    }

    @Test func aFailedStatementRollsBackAndReportsItsState() async throws {
        let pool = tests.makePool()
        defer { pool.close() }
        await #expect {
            try await pool.transactionOnThread { session in
                _ = try session.query(PostgresPipelineTests.transactionTime)
                _ = try session.query(PostgresQuery("thread_div", "SELECT 1 / $1::int AS q"), [0], thenCommit: true)
            }
        } throws: { error in
            (error as? PostgresError)?.sqlState == "22012"
        }
        #expect(try await tests.insideTransaction(pool) == false)
    }
}
