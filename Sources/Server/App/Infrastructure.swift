import Logging
import RedisClient

/// The shared connections of a process — PostgreSQL pools, Redis, metrics — built from the
/// configuration. Everything else is built on top of it: the serving process by
/// ``ExchangeServices``, the worker and the CLI's one-off commands directly.
public final class Infrastructure: Sendable {
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    public let database: Database
    public let redis: RedisClient
    public let logger: Logger
    /// Every Redis key, stream, group and channel name (`redis.keyPrefix`).
    public let namespace: RedisNamespace

    public init(configuration: ServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.namespace = RedisNamespace(prefix: configuration.redis.keyPrefix)
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        self.database = Database(configuration: configuration, metrics: metrics)
        var redisConfiguration = try RedisConfiguration(url: configuration.redis.url)
        redisConfiguration.poolSize = configuration.redis.poolSize
        self.redis = RedisClient(configuration: redisConfiguration) { command, duration, _ in
            metrics.redisCommand(command).record(duration)
        }
    }

    /// Closes the pools and Redis; called last during shutdown.
    public func close() async {
        database.close()
        await redis.shutdown()
    }
}
