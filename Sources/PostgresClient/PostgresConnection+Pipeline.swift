import CLibPQ
import Foundation

/// Transactions in fewer round trips (libpq pipeline mode, PostgreSQL 14+ client library).
///
/// ``PostgresPool/transaction(isolation:_:)`` doesn't send `BEGIN` on its own: the first
/// statement of the body carries it, and a body's last statement may carry the `COMMIT`
/// (``PostgresConnection/query(_:_:thenCommit:)``). So a transaction of one read-then-write
/// costs two round trips instead of four, and a single-statement write costs one. Each
/// pipeline is one job on the connection's thread: one hop, one flush, one read loop.
///
/// Nothing here relies on session state across transactions: a pipeline opens and (when
/// asked) closes its transaction itself.
extension PostgresConnection {
    /// Runs `query` with the transaction's `BEGIN` in the same round trip when it is the
    /// transaction's first statement, and with `thenCommit` commits the transaction in that
    /// round trip too (the caller then makes no further statements in it). If the query
    /// fails, the `COMMIT` is skipped (the transaction stays open, failed) and the pool rolls
    /// it back.
    public func query(_ query: PostgresQuery, _ parameters: [(any PostgresBindable)?] = [], thenCommit: Bool) async throws -> PostgresRows {
        let begin = session.withLock { $0.takePendingBegin() }
        let texts = parameters.map { $0?.postgresText }
        return try await timed(query.name) { [self] in try runStatement(begin: begin, query, texts, thenCommit: thenCommit) }
    }

    /// On the thread: `begin` (if any), `query`, then `COMMIT` (if asked) in one pipeline, one
    /// round trip; the query alone when there is neither. Returns the query's rows.
    func runStatement(begin: String?, _ query: PostgresQuery, _ texts: [String?], thenCommit: Bool) throws -> PostgresRows {
        guard begin != nil || thenCommit else { return try executePrepared(query, texts) }
        var steps: [PipelineStep] = []
        if let begin { steps.append(.sql(begin)) }
        steps.append(.query(query, texts))
        if thenCommit { steps.append(.sql("COMMIT")) }
        return try runPipeline(steps)[begin == nil ? 0 : 1]
    }

    // MARK: - Transaction bookkeeping (used by the pool)

    /// Starts a transaction lazily: `begin` is sent with the next statement.
    func beginLazily(_ begin: String) {
        session.withLock { $0.pendingBegin = begin }
    }

    /// After the body: `true` when a transaction is open and must be committed or rolled back.
    /// A `BEGIN` never sent is dropped (the body ran no statement: nothing to end).
    func endLazyTransaction() -> Bool {
        session.withLock { state in
            if state.pendingBegin != nil {
                state.pendingBegin = nil
                return false
            }
            return state.inTransaction
        }
    }

    /// Records the server's transaction status after a call (on the thread).
    func noteTransactionStatus(_ conn: OpaquePointer) {
        let status = PQtransactionStatus(conn)
        let open = status == PQTRANS_INTRANS || status == PQTRANS_INERROR
        session.withLock { $0.inTransaction = open }
    }

    // MARK: - On the owned thread

    enum PipelineStep: Sendable {
        /// Text without parameters, one statement (`BEGIN`, `COMMIT`).
        case sql(String)
        /// A named statement, prepared on this connection first if it isn't yet.
        case query(PostgresQuery, [String?])
    }

    /// Sends every step, one sync, and reads one result per step. The first failure is thrown
    /// after the whole pipeline has been read (later steps were skipped by the server).
    func runPipeline(_ steps: [PipelineStep]) throws -> [PostgresRows] {
        let conn = try connectionOrThrow()
        guard PQenterPipelineMode(conn) == 1 else { throw lost(conn) }
        defer {
            PQexitPipelineMode(conn)
            noteTransactionStatus(conn)
        }
        // What each result answers: a step (by index), or the preparation of a statement.
        enum Expected {
            case step(Int, name: String)
            case prepare(PostgresQuery, statement: String)
        }
        var expected: [Expected] = []
        var preparing: [PostgresQuery: String] = [:]
        for (index, step) in steps.enumerated() {
            let sent: Int32
            switch step {
            case .sql(let text):
                sent = PQsendQueryParams(conn, text, 0, nil, nil, nil, nil, 0)
                expected.append(.step(index, name: "sql"))
            case .query(let query, let parameters) where !configuration.preparedStatements:
                // Behind a transaction pooler: unnamed statements, as `execute` sends them.
                sent = withParameterPointers(parameters) { values in
                    PQsendQueryParams(conn, query.sql, Int32(parameters.count), nil, values, nil, nil, 0)
                }
                expected.append(.step(index, name: query.name))
            case .query(let query, let parameters):
                var statement = prepared[query] ?? preparing[query]
                if statement == nil {
                    let name = "s\(prepared.count + preparing.count)_\(query.name)"
                    guard PQsendPrepare(conn, name, query.sql, 0, nil) == 1 else { throw lost(conn) }
                    preparing[query] = name
                    expected.append(.prepare(query, statement: name))
                    statement = name
                }
                sent = withParameterPointers(parameters) { values in
                    PQsendQueryPrepared(conn, statement, Int32(parameters.count), values, nil, nil, 0)
                }
                expected.append(.step(index, name: query.name))
            }
            guard sent == 1 else { throw lost(conn) }
        }
        guard PQpipelineSync(conn) == 1 else { throw lost(conn) }

        var rows: [PostgresRows?] = Array(repeating: nil, count: steps.count)
        var firstError: Error?
        for item in expected {
            guard let result = PQgetResult(conn) else { throw lost(conn) }
            let status = PQresultStatus(result)
            // Each statement's results end with a NULL.
            defer { if status != PGRES_PIPELINE_SYNC { _ = PQgetResult(conn) } }
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            let name: String
            switch item {
            case .step(_, let stepName): name = stepName
            case .prepare(let query, _): name = query.name
            }
            do {
                let read = try consume(result, conn, statement: name)
                switch item {
                case .step(let index, _): rows[index] = read
                case .prepare(let query, let statement): prepared[query] = statement
                }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        // The sync point: the pipeline is idle again.
        guard let sync = PQgetResult(conn) else { throw lost(conn) }
        let syncStatus = PQresultStatus(sync)
        PQclear(sync)
        guard syncStatus == PGRES_PIPELINE_SYNC else { throw lost(conn) }
        if let firstError { throw firstError }
        return try rows.map { row in
            guard let row else { throw lost(conn) }
            return row
        }
    }

    /// The connection is in an unknown state: drop it.
    private func lost(_ conn: OpaquePointer) -> PostgresError {
        markBroken()
        return .connectionLost
    }
}

/// A connection's transaction as the pool drives it.
struct TransactionSession: Sendable {
    /// `BEGIN …` still to be sent with the next statement.
    var pendingBegin: String?
    /// The server reported an open (or failed) transaction after the last call.
    var inTransaction = false

    mutating func takePendingBegin() -> String? {
        defer { pendingBegin = nil }
        return pendingBegin
    }
}
