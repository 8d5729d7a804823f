/// Every Redis name the server uses, built from one prefix (`redis.keyPrefix`, default
/// `exchange:`): keys, streams, consumer groups and the pub/sub channel. Two servers with
/// different prefixes on one Redis never see each other's jobs, events, limits or sessions
/// (docs/design.md §11, "Namespacing"); the lab gives every cell its own.
///
/// | name | what |
/// |---|---|
/// | `<prefix>events` | pub/sub channel of committed events |
/// | `<prefix>queue:<name>`, `…:delayed`, `…:dead`, `…:completed` | durable queues (``QueueKeys``) |
/// | `<prefix>workers` | the consumer group of every queue stream |
/// | `<prefix>rl:<algorithm>:<key>` | rate-limit state |
/// | `<prefix>session:<token hash>` | cached sessions |
public struct RedisNamespace: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = Self.defaultPrefix) {
        self.prefix = prefix
    }

    public static let defaultPrefix = "exchange:"
    public static let standard = RedisNamespace()

    /// Letters, digits and `:_-.`, 1…64 characters (no spaces or glob characters, which would
    /// make keys awkward to inspect and `SCAN` patterns wrong).
    public static func isValid(_ prefix: String) -> Bool {
        !prefix.isEmpty && prefix.count <= 64
            && prefix.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ":_-.".unicodeScalars.contains($0))
            }
    }

    public func key(_ name: String) -> String { prefix + name }

    /// The pub/sub channel committed events go through.
    public var events: String { key("events") }

    /// The queue streams and their consumer group.
    public var queues: QueueKeys { QueueKeys(prefix: key("queue"), group: key("workers")) }

    /// Rate-limit state of `key` under `algorithm`.
    public func rateLimit(_ algorithm: String, _ key: String) -> String { self.key("rl:\(algorithm):\(key)") }

    /// A cached session.
    public func session(_ tokenHash: String) -> String { key("session:\(tokenHash)") }
}
