import CLibPQ
import DedicatedThread
import Foundation
import Synchronization

/// One libpq connection, owned by its own thread: every libpq call on this `PGconn` happens on
/// `thread`, so the handle needs no lock and no blocking call reaches the concurrency pool.
public final class PostgresConnection: @unchecked Sendable {
    // Touched only on `thread`.
    private var handle: OpaquePointer?
    private var prepared: [PostgresQuery: String] = [:]
    private let thread: DedicatedThread
    private let configuration: PostgresConfiguration
    private let onQuery: @Sendable (String, Duration, Bool) -> Void

    /// Set once the connection is known to be unusable; the pool discards it on release.
    public var isBroken: Bool { brokenFlag.withLock { $0 } }
    private let brokenFlag = Mutex(false)

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
    public func query(_ query: PostgresQuery, _ parameters: [(any PostgresBindable)?] = []) async throws -> PostgresRows {
        let texts = parameters.map { $0?.postgresText }
        let start = ContinuousClock.now
        do {
            let rows = try await thread.run { [self] in try executePrepared(query, texts) }
            onQuery(query.name, ContinuousClock.now - start, true)
            return rows
        } catch {
            onQuery(query.name, ContinuousClock.now - start, false)
            throw error
        }
    }

    /// Runs SQL text without parameters (may hold several statements: migrations, `BEGIN`).
    public func execute(_ sql: String) async throws {
        _ = try await thread.run { [self] in try executeSimple(sql) }
    }

    /// Closes the connection and ends its thread.
    public func close() {
        thread.stop()
    }

    /// Marks the connection as unusable (e.g. a transaction whose state is unknown).
    func markBroken() {
        brokenFlag.withLock { $0 = true }
    }

    // MARK: - On the owned thread

    private func openOnThread() throws {
        let timeout = max(1, Int(configuration.connectTimeout.components.seconds))
        let conninfo = configuration.url.contains("://")
            ? appendParameter(to: configuration.url, "connect_timeout=\(timeout)")
            : configuration.url + " connect_timeout=\(timeout)"
        guard let conn = PQconnectdb(conninfo) else { throw PostgresError.connectionFailed("out of memory") }
        handle = conn
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError.connectionFailed(message)
        }
        let statementTimeoutMs = Int(configuration.statementTimeout.components.seconds * 1000
            + configuration.statementTimeout.components.attoseconds / 1_000_000_000_000_000)
        _ = try executeSimple("""
            SET statement_timeout = \(statementTimeoutMs);
            SET TimeZone = 'UTC';
            SET DateStyle = 'ISO';
            SET client_min_messages = warning;
            SET application_name = 'exchange-\(configuration.name)'
            """)
    }

    private func appendParameter(to url: String, _ parameter: String) -> String {
        url + (url.contains("?") ? "&" : "?") + parameter
    }

    private func connectionOrThrow() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            markBroken()
            throw PostgresError.connectionLost
        }
        return handle
    }

    private func executePrepared(_ query: PostgresQuery, _ parameters: [String?]) throws -> PostgresRows {
        let conn = try connectionOrThrow()
        let statement: String
        if let name = prepared[query] {
            statement = name
        } else {
            statement = "s\(prepared.count)_\(query.name)"
            let result = PQprepare(conn, statement, query.sql, 0, nil)
            _ = try consume(result, conn)
            prepared[query] = statement
        }
        let cStrings = parameters.map { $0.flatMap { strdup($0) } }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecPrepared(conn, statement, Int32(parameters.count), buffer.baseAddress, nil, nil, 0)
        }
        return try consume(result, conn)
    }

    @discardableResult
    private func executeSimple(_ sql: String) throws -> PostgresRows {
        let conn = try connectionOrThrow()
        return try consume(PQexec(conn, sql), conn)
    }

    /// Reads a result into Swift values and frees it; maps failures to `PostgresError`.
    private func consume(_ result: OpaquePointer?, _ conn: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            if PQstatus(conn) != CONNECTION_OK { markBroken(); throw PostgresError.connectionLost }
            throw PostgresError.server(sqlState: "XX000", serverMessage: String(cString: PQerrorMessage(conn)))
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
            throw PostgresError.server(sqlState: state, serverMessage: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    private func readRows(_ result: OpaquePointer) -> PostgresRows {
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
