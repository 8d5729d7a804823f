import AsyncHTTPClient
import Logging
import RedisClient

/// The server's parts, built once from the configuration and shared by routes and services.
public final class ExchangeServices: Sendable {
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    public let database: Database
    public let redis: RedisClient
    public let requests: RequestStore
    public let users: UserStore
    let authenticator: Authenticator
    let sessions: SessionCache
    let rateLimiter: RateLimiter
    let sideEffects: SideEffects
    let events: EventPublisher
    /// This instance's WebSocket rooms and connections, fed by `EventFanout`.
    public let realtime: RealtimeHub
    let readiness: Readiness
    let httpClient: HTTPClient
    public let logger: Logger
    /// Every Redis key, stream, group and channel name (`redis.keyPrefix`).
    public let namespace: RedisNamespace

    public init(configuration: ServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.namespace = RedisNamespace(prefix: configuration.redis.keyPrefix)
        let metrics = ServerMetrics()
        self.metrics = metrics
        self.database = Database(configuration: configuration, metrics: metrics)
        var redisConfiguration = try RedisConfiguration(url: configuration.redis.url)
        redisConfiguration.poolSize = configuration.redis.poolSize
        self.redis = RedisClient(configuration: redisConfiguration) { command, duration, _ in
            metrics.redisCommand(command).record(duration)
        }
        self.requests = RequestStore(primary: database.primary)
        self.users = UserStore(primary: database.primary)
        self.sessions = SessionCache(redis: redis, ttlSeconds: configuration.auth.sessionCacheSeconds, namespace: namespace)
        self.authenticator = Authenticator(users: users, cache: sessions)
        self.rateLimiter = RateLimiter(redis: redis, configuration: configuration.rateLimit, metrics: metrics, namespace: namespace)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        httpConfiguration.timeout.connect = .seconds(2)
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let provider = ProviderClient(baseURL: configuration.provider.url, timeout: .milliseconds(configuration.provider.timeoutMs), http: httpClient)
        self.sideEffects = SideEffects(mode: configuration.sideEffects.mode, provider: provider, primary: database.primary, metrics: metrics, logger: logger)
        self.events = EventPublisher(redis: redis, logger: logger, channel: namespace.events)
        self.realtime = RealtimeHub(configuration: configuration.realtime, metrics: metrics)
        self.readiness = Readiness(database: database, redis: redis, metrics: metrics)
    }

    /// Makes `phone` an operator and drops its cached sessions so the role applies at once.
    public func grantOperator(phone: String) async throws -> UserStore.User {
        let user = try await users.grantOperator(phone: phone)
        try await sessions.drop(users.sessionHashes(phone: phone))
        return user
    }

    /// Closes pools and clients; called last during shutdown.
    public func close() async {
        database.close()
        await redis.shutdown()
        try? await httpClient.shutdown()
    }
}

extension ExchangeServices {
    /// Stores `code` as `phone`'s current one-time code, creating the user if new, without
    /// sending anything. For tests and local tooling; the HTTP API never exposes it.
    public func plantCode(phone: String, code: String) async throws {
        _ = try await users.issueCode(phone: phone, codeHash: Secrets.codeHash(phone: phone, code: code),
                                      ttlSeconds: configuration.auth.otpTtlSeconds, outbox: "[]")
    }
}
