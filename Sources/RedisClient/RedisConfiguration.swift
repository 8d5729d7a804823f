/// Where Redis is and how the client talks to it. Every field has a default suitable for the
/// development Redis that `scripts/dev-services` starts.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address. Defaults to `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// TCP port. Defaults to `56379`.
    public var port: Int = 56379
    /// Logical database selected after connecting. Defaults to `0`.
    public var database: Int = 0
    /// ACL user name for `AUTH`, if any.
    public var username: String?
    /// Password for `AUTH`, if any. Never printed.
    public var password: String?
    /// Name set with `CLIENT SETNAME` on every connection (shows in `CLIENT LIST`), if any.
    public var clientName: String?
    /// Number of shared multiplexed connections in a ``RedisClient``. Defaults to `4`.
    public var poolSize: Int = 4
    /// How long establishing a TCP connection may take. Defaults to 1 second.
    public var connectTimeout: Duration = .seconds(1)
    /// How long a command may wait for its reply (socket send/receive timeout). Blocking
    /// commands add their block time to this. Defaults to 2 seconds.
    public var commandTimeout: Duration = .seconds(2)
    /// Longest pause between reconnection attempts while Redis is unreachable; commands fail
    /// fast with ``RedisError/connectionFailed(_:)`` during the pause. Defaults to 1 second.
    public var maxReconnectBackoff: Duration = .seconds(1)

    /// A configuration with all defaults.
    public init() {}

    /// A configuration for `host:port`, other fields defaulted.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, for messages.
    var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// The configuration as a `redis://` URL with the password replaced by `***`.
    public var description: String {
        var auth = ""
        if username != nil || password != nil {
            auth = "\(username ?? "")\(password == nil ? "" : ":***")@"
        }
        return "redis://\(auth)\(endpoint)/\(database)"
    }
}
