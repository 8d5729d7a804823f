/// Errors of the PostgreSQL client. `description` is deliberately free of SQL text and
/// parameters so it can't leak into a response; `serverMessage` is for logs at debug level.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// Could not open a connection (server down, bad address, refused).
    case connectionFailed(String)
    /// The connection broke while in use; the pool discards it.
    case connectionLost
    /// The server rejected the statement. `sqlState` is the five-character SQLSTATE,
    /// `statement` the query's name (`request_transition`; `sql` for unnamed text). The
    /// server's message may quote row values: it is for debugging, never for logs at info or
    /// above, nor for responses.
    case server(sqlState: String, serverMessage: String, statement: String)
    /// No connection became free within the pool's acquire timeout.
    case poolTimeout(pool: String, waited: Duration)
    /// The pool is shut down.
    case poolClosed
    /// A row didn't decode into the requested type.
    case decoding(column: String, reason: String)
    /// No answer within the response timeout: the statement was cancelled and the connection
    /// dropped (a server that stopped answering, a dead peer).
    case abandoned(statement: String, after: Duration)

    public var description: String {
        switch self {
        // libpq's reason ("too many clients already", "Connection refused") names no SQL and
        // no row: it is what an operator needs to act on.
        case .connectionFailed(let reason): "PostgreSQL connection failed: \(reason.split(whereSeparator: \.isNewline).joined(separator: " "))"
        case .connectionLost: "PostgreSQL connection lost"
        case .server(let state, _, let statement): "PostgreSQL error \(state) in \(statement)"
        case .poolTimeout(let pool, let waited): "timed out after \(waited) waiting for a connection from pool '\(pool)'"
        case .poolClosed: "PostgreSQL pool is closed"
        case .decoding(let column, let reason): "cannot decode column '\(column)': \(reason)"
        case .abandoned(let statement, let after): "no answer to \(statement) within \(after); statement cancelled, connection dropped"
        }
    }

    /// SQLSTATE when the server reported one.
    public var sqlState: String? {
        if case .server(let state, _, _) = self { return state }
        return nil
    }

    /// The failed statement's name, when the server rejected one.
    public var statement: String? {
        if case .server(_, _, let statement) = self { return statement }
        return nil
    }

    /// SQLSTATEs that say "try again later" rather than "this statement is wrong": statement
    /// timeout or cancel (57014), deadlock (40P01), serialization failure or recovery conflict
    /// on a replica (40001), too many connections (53300), lock not available (55P03), the
    /// server starting up or shutting down (57P03).
    public static let transientStates: Set<String> = ["57014", "40P01", "40001", "53300", "55P03", "57P03"]

    /// True when retrying the same request later may well succeed.
    public var isTransient: Bool {
        sqlState.map(Self.transientStates.contains) ?? false
    }

    /// True for failures of the connection rather than of the statement.
    public var isConnectionError: Bool {
        switch self {
        case .connectionFailed, .connectionLost, .abandoned: true
        default: false
        }
    }
}
