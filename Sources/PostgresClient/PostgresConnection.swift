import CLibPQ
import DedicatedThread
import Foundation
import Synchronization

/// One libpq connection, owned by its own thread: every libpq call on this `PGconn` happens on
/// `thread`, so the handle needs no lock and no blocking call reaches the concurrency pool.
public final class PostgresConnection: @unchecked Sendable {
    // Touched only on `thread`.
    var handle: OpaquePointer?
    /// `PGcancel` for this connection, made at connect time; `PQcancel` is safe from any thread.
    private let cancelHandle = Mutex<CancelHandle?>(nil)
    var prepared: [PostgresQuery: String] = [:]
    private let thread: DedicatedThread
    let configuration: PostgresConfiguration
    let onQuery: @Sendable (String, Duration, Bool) -> Void

    /// Set once the connection is known to be unusable; the pool discards it on release.
    public var isBroken: Bool { brokenFlag.withLock { $0 } }
    private let brokenFlag = Mutex(false)
    /// The transaction bookkeeping of ``PostgresPool/transaction(isolation:_:)``: a `BEGIN`
    /// not yet sent (it travels with the first statement) and whether a transaction is open.
    let session = Mutex(TransactionSession())

    /// Opens a connection and applies the per-connection session settings.
    public static func connect(
        configuration: PostgresConfiguration,
        index: Int = 0,
        onQuery: @escaping @Sendable (String, Duration, Bool) -> Void = { _, _, _ in }
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, threadName: "pg-\(configuration.name)-\(index)", onQuery: onQuery)
        do {
            try await connection.thread.run { try connection.openOnThread() }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private init(configuration: PostgresConfiguration, threadName: String, onQuery: @escaping @Sendable (String, Duration, Bool) -> Void) {
        self.configuration = configuration
        self.onQuery = onQuery
        self.thread = DedicatedThread(name: threadName)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Runs a named statement as a prepared statement (prepared once per connection).
    /// Inside ``PostgresPool/transaction(isolation:_:)``, the first statement carries the
    /// transaction's `BEGIN` in the same round trip (see ``query(_:_:thenCommit:)``).
    public func query(_ query: PostgresQuery, _ parameters: [(any PostgresBindable)?] = []) async throws -> PostgresRows {
        try await self.query(query, parameters, thenCommit: false)
    }

    /// Runs SQL text without parameters (may hold several statements: migrations, `BEGIN`).
    public func execute(_ sql: String) async throws {
        let begin = session.withLock { $0.takePendingBegin() }
        _ = try await bounded("sql") { [self] in
            if let begin { try executeSimple(begin) }
            return try executeSimple(sql)
        }
    }

    /// Runs `body` on the thread under the response bound and reports it as `name` to the
    /// query observer (`db_query_duration_seconds{query}`).
    func timed<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let value = try await bounded(name, body)
            onQuery(name, ContinuousClock.now - start, true)
            return value
        } catch {
            onQuery(name, ContinuousClock.now - start, false)
            throw error
        }
    }

    /// The libpq options in effect (`PQconninfo`), e.g. to check keepalives; no password.
    public func options() async throws -> [String: String] {
        try await bounded("conninfo") { [self] in
            guard let handle, let info = PQconninfo(handle) else { return [:] }
            defer { PQconninfoFree(info) }
            var options: [String: String] = [:]
            var option = info
            while let keyword = option.pointee.keyword {
                let key = String(cString: keyword)
                if key != "password", let value = option.pointee.val { options[key] = String(cString: value) }
                option += 1
            }
            return options
        }
    }

    /// Runs `body` on the connection's thread, but never waits longer than the response
    /// timeout and never past the caller's cancellation. Giving up abandons the connection:
    /// the statement is cancelled with `PQcancel`, the connection is marked broken (the pool
    /// discards it on release, freeing the slot) and its thread finishes the call whenever
    /// the server answers, then exits.
    func bounded<T: Sendable>(_ statement: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard !isBroken else { throw PostgresError.connectionLost }
        let outcome = OneShot<T>()
        let timeout = configuration.effectiveResponseTimeout
        let ticket = DeadlineWatchdog.shared.arm(deadline: .now + timeout) { [self] in
            outcome.resume(.failure(PostgresError.abandoned(statement: statement, after: timeout))) { abandon(outcome) }
        }
        defer { DeadlineWatchdog.shared.disarm(ticket) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.attach(continuation)
                let accepted = thread.submit { outcome.callReturned(Result(catching: body)) }
                if !accepted { outcome.callReturned(.failure(DedicatedThreadError.stopped)) }
            }
        } onCancel: { [self] in
            outcome.resume(.failure(CancellationError())) { abandon(outcome) }
        }
    }

    /// Gives up on the statement in flight: marks the connection broken and asks the server
    /// to cancel it, from a short-lived thread of its own (`PQcancel` opens a connection).
    /// PostgreSQL drops a cancel that reaches the backend between two protocol messages (after
    /// a `Parse`, before its `Execute`), and the statement would then run to its
    /// `statement_timeout`: the request is repeated every 200 ms, for up to 5 s, while the call
    /// has not returned.
    private func abandon<T>(_ call: OneShot<T>) {
        markBroken()
        guard let cancel = cancelHandle.withLock({ $0 }) else { return }
        Thread.detachNewThread {
            for _ in 0..<25 where call.callIsRunning {
                cancel.cancel()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    /// Closes the connection (`PQfinish` on its own thread, after any call still running there)
    /// and ends its thread. The socket is closed here, not left to `deinit`.
    public func close() {
        thread.submit { [self] in
            if let handle { PQfinish(handle) }
            handle = nil
            prepared.removeAll()
        }
        thread.stop()
    }

    /// Marks the connection as unusable (e.g. a transaction whose state is unknown).
    func markBroken() {
        brokenFlag.withLock { $0 = true }
    }

    // MARK: - On the owned thread

    private func openOnThread() throws {
        var conninfo = configuration.url
        for (name, value) in configuration.connectionParameters {
            conninfo = conninfo.contains("://") ? appendParameter(to: conninfo, "\(name)=\(value)") : conninfo + " \(name)=\(value)"
        }
        guard let conn = PQconnectdb(conninfo) else { throw PostgresError.connectionFailed("out of memory") }
        handle = conn
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError.connectionFailed(message)
        }
        if let cancel = PQgetCancel(conn) { cancelHandle.withLock { $0 = CancelHandle(cancel) } }
        let statementTimeoutMs = Int(
            configuration.statementTimeout.components.seconds * 1000
                + configuration.statementTimeout.components.attoseconds / 1_000_000_000_000_000
        )
        _ = try executeSimple(
            """
            SET statement_timeout = \(statementTimeoutMs);
            SET TimeZone = 'UTC';
            SET DateStyle = 'ISO';
            SET client_min_messages = warning;
            SET application_name = 'exchange-\(configuration.name)'
            """
        )
    }

    private func appendParameter(to url: String, _ parameter: String) -> String {
        url + (url.contains("?") ? "&" : "?") + parameter
    }

    func connectionOrThrow() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            markBroken()
            throw PostgresError.connectionLost
        }
        return handle
    }

    func executePrepared(_ query: PostgresQuery, _ parameters: [String?]) throws -> PostgresRows {
        let conn = try connectionOrThrow()
        defer { noteTransactionStatus(conn) }
        guard configuration.preparedStatements else { return try executeUnnamed(query, parameters, conn) }
        let statement: String
        if let name = prepared[query] {
            statement = name
        } else {
            statement = "s\(prepared.count)_\(query.name)"
            let result = PQprepare(conn, statement, query.sql, 0, nil)
            _ = try consume(result, conn, statement: query.name)
            prepared[query] = statement
        }
        let result = withParameterPointers(parameters) { values in
            PQexecPrepared(conn, statement, Int32(parameters.count), values, nil, nil, 0)
        }
        return try consume(result, conn, statement: query.name)
    }

    /// Parse, bind and execute as the unnamed statement, in one round trip (no state left on
    /// the server connection).
    private func executeUnnamed(_ query: PostgresQuery, _ parameters: [String?], _ conn: OpaquePointer) throws -> PostgresRows {
        let result = withParameterPointers(parameters) { values in
            PQexecParams(conn, query.sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try consume(result, conn, statement: query.name)
    }

    @discardableResult
    func executeSimple(_ sql: String) throws -> PostgresRows {
        let conn = try connectionOrThrow()
        defer { noteTransactionStatus(conn) }
        return try consume(PQexec(conn, sql), conn, statement: "sql")
    }

    /// Reads a result into Swift values and frees it; maps failures to `PostgresError`.
    func consume(_ result: OpaquePointer?, _ conn: OpaquePointer, statement: String) throws -> PostgresRows {
        guard let result else {
            if PQstatus(conn) != CONNECTION_OK {
                markBroken()
                throw PostgresError.connectionLost
            }
            throw PostgresError.server(sqlState: "XX000", serverMessage: String(cString: PQerrorMessage(conn)), statement: statement)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return readRows(result)
        default:
            if PQstatus(conn) != CONNECTION_OK {
                markBroken()
                throw PostgresError.connectionLost
            }
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "XX000"
            let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
            throw PostgresError.server(sqlState: state, serverMessage: message.trimmingCharacters(in: .whitespacesAndNewlines), statement: statement)
        }
    }

    func readRows(_ result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var fields: [String?] = []
            fields.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    fields.append(nil)
                } else {
                    fields.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            values.append(fields)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, values: values, affected: affected)
    }
}
