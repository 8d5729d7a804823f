/// The Redis keys of the durable queues. One prefix names them all, so a test (or a second
/// exchange on the same Redis) can run its own set side by side. The server builds them from
/// ``RedisNamespace`` (`redis.keyPrefix`): `exchange:queue:critical`, group `exchange:workers`.
/// The table below leaves out the `redis.keyPrefix`.
///
/// | key | type | holds |
/// |---|---|---|
/// | `queue:<name>` | stream | jobs waiting or being worked on (consumer group `workers`) |
/// | `queue:<name>:delayed` | sorted set | jobs waiting out a retry backoff, scored by due time (ms) |
/// | `queue:<name>:dead` | stream | dead-lettered jobs with their error history |
/// | `queue:critical:completed` | stream | the audit trail of completed critical jobs (never trimmed) |
public struct QueueKeys: Sendable, Hashable {
    /// Prepended to every key. Defaults to `queue`.
    public var prefix: String
    /// The consumer group every worker joins, one per stream.
    public var group: String

    public init(prefix: String = "queue", group: String = "workers") {
        self.prefix = prefix
        self.group = group
    }

    /// The keys under the default `redis.keyPrefix` (`exchange:queue:…`, group `exchange:workers`).
    public static let standard = RedisNamespace.standard.queues

    public func stream(_ queue: QueueName) -> String { "\(prefix):\(queue.rawValue)" }
    public func delayed(_ queue: QueueName) -> String { "\(prefix):\(queue.rawValue):delayed" }
    public func dead(_ queue: QueueName) -> String { "\(prefix):\(queue.rawValue):dead" }
    public func completed(_ queue: QueueName) -> String { "\(prefix):\(queue.rawValue):completed" }

    /// Every key of `queue`, e.g. to delete them in a test.
    public func all(_ queue: QueueName) -> [String] {
        [stream(queue), delayed(queue), dead(queue), completed(queue)]
    }
}
