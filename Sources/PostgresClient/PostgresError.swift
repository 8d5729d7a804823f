/// Errors of the PostgreSQL client. `description` is deliberately free of SQL text and
/// parameters so it can't leak into a response; `serverMessage` is for logs at debug level.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// Could not open a connection (server down, bad address, refused).
    case connectionFailed(String)
    /// The connection broke while in use; the pool discards it.
    case connectionLost
    /// The server rejected the statement. `sqlState` is the five-character SQLSTATE.
    case server(sqlState: String, serverMessage: String)
    /// No connection became free within the pool's acquire timeout.
    case poolTimeout(pool: String, waited: Duration)
    /// The pool is shut down.
    case poolClosed
    /// A row didn't decode into the requested type.
    case decoding(column: String, reason: String)

    public var description: String {
        switch self {
        case .connectionFailed: "PostgreSQL connection failed"
        case .connectionLost: "PostgreSQL connection lost"
        case .server(let state, _): "PostgreSQL error \(state)"
        case .poolTimeout(let pool, let waited): "timed out after \(waited) waiting for a connection from pool '\(pool)'"
        case .poolClosed: "PostgreSQL pool is closed"
        case .decoding(let column, let reason): "cannot decode column '\(column)': \(reason)"
        }
    }

    /// SQLSTATE when the server reported one.
    public var sqlState: String? {
        if case .server(let state, _) = self { return state }
        return nil
    }

    /// True for failures of the connection rather than of the statement.
    public var isConnectionError: Bool {
        switch self {
        case .connectionFailed, .connectionLost: true
        default: false
        }
    }
}
