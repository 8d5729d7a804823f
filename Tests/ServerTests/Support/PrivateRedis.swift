import Foundation
import RedisClient

/// Redis databases for suites whose keys no other test server may touch: per-address counters
/// are shared by every server on one Redis, and the queue suites drain whole streams. One
/// database per suite, since suites run in parallel and each empties its database before use
/// (two suites on one database emptied each other's counters mid-test).
enum PrivateRedis {
    static let signInLimits = "redis://127.0.0.1:56379/11"
    static let queues = ProcessInfo.processInfo.environment["EXCHANGE_QUEUE_TEST_REDIS_URL"] ?? "redis://127.0.0.1:56379/12"
    /// Not 13 or 14: `scripts/fuzz-api`, `bench-http` and `kill9-test` (13) and `bench-queues` (14)
    /// empty those.
    static let sessions = "redis://127.0.0.1:56379/10"

    /// Empties the database at `url` and returns `url`.
    @discardableResult
    static func emptied(_ url: String) async throws -> String {
        let redis = RedisClient(configuration: try RedisConfiguration(url: url))
        _ = try await redis.send(["FLUSHDB"])
        await redis.shutdown()
        return url
    }
}
