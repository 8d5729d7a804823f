import CLibPQ

/// A transaction run on its connection's own thread, the caller's Swift between its statements.
///
/// Each async statement is a hop: the caller's task hands the statement to the connection's
/// thread, which wakes, runs it and wakes the task again — two context switches and two
/// wake-ups per round trip, the server's largest cost per request on a 2-core machine
/// (docs/performance.md). A transaction that reads, decides in plain Swift and writes —
/// a request transition — does all of it in one job here: one hop for the transaction. The
/// body must be quick, pure Swift between statements: it holds the connection's thread.
public struct PostgresBlockingSession: Sendable {
    let connection: PostgresConnection

    /// Runs `query` now, blocking the connection's thread, with the transaction's pending
    /// `BEGIN` and, with `thenCommit`, its `COMMIT` in the same round trip (as
    /// ``PostgresConnection/query(_:_:thenCommit:)`` does).
    public func query(_ query: PostgresQuery, _ parameters: [(any PostgresBindable)?] = [], thenCommit: Bool = false) throws -> PostgresRows {
        let begin = connection.session.withLock { $0.takePendingBegin() }
        let texts = parameters.map { $0?.postgresText }
        let start = ContinuousClock.now
        do {
            let rows = try connection.runStatement(begin: begin, query, texts, thenCommit: thenCommit)
            connection.onQuery(query.name, ContinuousClock.now - start, true)
            return rows
        } catch {
            connection.onQuery(query.name, ContinuousClock.now - start, false)
            throw error
        }
    }

    /// Commits a transaction the body left open (none when its last statement committed).
    func commitIfOpen() throws {
        if connection.endLazyTransaction() { try connection.executeSimple("COMMIT") }
    }

    /// Rolls back after a failure; a failed `ROLLBACK` leaves the session state unknown, so
    /// the connection is discarded.
    func rollBackIfOpen() {
        guard connection.endLazyTransaction() else { return }
        do { try connection.executeSimple("ROLLBACK") } catch { connection.markBroken() }
    }
}

extension PostgresPool {
    /// Runs `body` inside `BEGIN … COMMIT` on one connection, all of it on the connection's
    /// thread (``PostgresBlockingSession``): one hop however many statements. A thrown error
    /// rolls back and is rethrown. The response timeout bounds the whole body.
    public func transactionOnThread<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        _ body: @escaping @Sendable (PostgresBlockingSession) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            connection.beginLazily(isolation.beginStatement)
            return try await connection.bounded("transaction") {
                let session = PostgresBlockingSession(connection: connection)
                do {
                    let result = try body(session)
                    try session.commitIfOpen()
                    return result
                } catch {
                    session.rollBackIfOpen()
                    throw error
                }
            }
        }
    }
}
