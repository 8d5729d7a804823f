/// The `pgbouncer.ini` of a cell's PgBouncer: transaction pooling on loopback, any database
/// name passed through to `target` (each cell has its own database), trust authentication for
/// the roles `scripts/dev-services` creates (PostgreSQL itself trusts loopback there), and the
/// server's statement timeout applied to every server connection by `connect_query` — in
/// transaction pooling a client's session `SET`s would land on whichever server connection it
/// happened to hold (docs/tuning.md "Behind PgBouncer").
public struct PgBouncerConfig: Sendable, Equatable {
    public var listenPort: Int
    public var targetHost = "127.0.0.1"
    public var targetPort = 55432
    /// Server connections per database and user (`default_pool_size`, also the database's cap).
    public var poolSize = 10
    public var statementTimeoutMs = 5000
    /// Path of the `auth_file` (written by ``userList``).
    public var authFile: String
    public var maxClientConnections = 900

    /// Roles PgBouncer accepts (trust: no passwords).
    public static let roles = ["exchange_app", "exchange_owner", "postgres"]

    public var userList: String {
        Self.roles.map { "\"\($0)\" \"\"\n" }.joined()
    }

    public var ini: String {
        """
        [databases]
        * = host=\(targetHost) port=\(targetPort) connect_query='SET statement_timeout = \(statementTimeoutMs); SET client_min_messages = warning'

        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = \(listenPort)
        unix_socket_dir =
        auth_type = trust
        auth_file = \(authFile)
        pool_mode = transaction
        default_pool_size = \(poolSize)
        max_db_connections = \(poolSize)
        min_pool_size = 0
        reserve_pool_size = 0
        max_client_conn = \(maxClientConnections)
        server_reset_query =
        ignore_startup_parameters = extra_float_digits
        admin_users = postgres
        stats_users = postgres

        """
    }
}
