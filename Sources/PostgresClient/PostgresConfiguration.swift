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
