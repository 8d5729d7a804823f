/// One pool's settings. Defaults suit the dev services of `scripts/dev-services`.
public struct PostgresConfiguration: Sendable, Equatable {
    /// libpq connection string or URI, e.g. `postgresql://postgres@127.0.0.1:55432/exchange`.
    public var url: String = "postgresql://postgres@127.0.0.1:55432/exchange"
    /// Name used in metrics (`pool="primary"`) and thread names.
    public var name: String = "primary"
    /// Maximum open connections. Defaults to `10`.
    public var poolSize: Int = 10
    /// How long `acquire` waits for a free connection before failing with `.poolTimeout`.
    public var acquireTimeout: Duration = .seconds(2)
    /// Server-side `statement_timeout`, set on every connection. Defaults to 5 seconds.
    public var statementTimeout: Duration = .seconds(5)
    /// libpq `connect_timeout` (whole seconds, at least 1).
    public var connectTimeout: Duration = .seconds(2)
    /// TCP keepalives on every connection (libpq `keepalives_idle`, `keepalives_interval`,
    /// `keepalives_count`; whole seconds): an idle connection to a vanished host is noticed in
    /// about idle + interval × count (25 s by default) instead of the kernel's two hours.
    public var keepalivesIdle: Duration = .seconds(10)
    public var keepalivesInterval: Duration = .seconds(5)
    public var keepalivesCount: Int = 3
    /// libpq `tcp_user_timeout`: sent data unacknowledged this long breaks the connection.
    public var tcpUserTimeout: Duration = .seconds(30)
    /// How long a caller waits for a statement's result before the client gives up on it:
    /// the statement is cancelled (`PQcancel`), the connection dropped and its pool slot freed.
    /// `nil` means `statementTimeout` + 2 s (the server's own timeout normally fires first;
    /// this covers a server that stopped answering at all).
    public var responseTimeout: Duration?
    /// Named prepared statements, prepared once per connection (`PQprepare` + `PQexecPrepared`).
    /// `false` sends every statement unnamed with its parameters in one round trip
    /// (`PQexecParams`): what a transaction-pooling PgBouncer (before 1.21) needs, since the
    /// next transaction may run on a server connection that never saw the `PREPARE`.
    /// Defaults to `true`.
    public var preparedStatements = true

    /// The effective ``responseTimeout``.
    public var effectiveResponseTimeout: Duration { responseTimeout ?? statementTimeout + .seconds(2) }

    /// The libpq parameters applied to every connection besides the URL's own.
    var connectionParameters: [(String, String)] {
        func seconds(_ duration: Duration) -> String { String(max(1, duration.components.seconds)) }
        let userTimeoutMs = tcpUserTimeout.components.seconds * 1000 + tcpUserTimeout.components.attoseconds / 1_000_000_000_000_000
        return [
            ("connect_timeout", seconds(connectTimeout)),
            ("keepalives", "1"),
            ("keepalives_idle", seconds(keepalivesIdle)),
            ("keepalives_interval", seconds(keepalivesInterval)),
            ("keepalives_count", String(max(1, keepalivesCount))),
            ("tcp_user_timeout", String(max(0, userTimeoutMs))),
        ]
    }

    public init(
        url: String = "postgresql://postgres@127.0.0.1:55432/exchange",
        name: String = "primary",
        poolSize: Int = 10,
        acquireTimeout: Duration = .seconds(2),
        statementTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(2)
    ) {
        self.url = url
        self.name = name
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
    }
}
