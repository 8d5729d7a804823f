import Logging
import RedisClient

/// The composition root of a serving process: builds every part once, on top of the
/// process's ``Infrastructure``, and hands each part only the collaborators it uses.
public final class ExchangeServices: Sendable {
    public let infrastructure: Infrastructure
    let provider: ProviderClient
    let authenticator: Authenticator
    let rateLimiter: RateLimiter
    let sideEffects: SideEffects
    /// The use cases routes call; each holds only the collaborators above that it needs.
    let requestService: RequestService
    let signIn: SignInService
    /// This instance's WebSocket rooms and connections, fed by `EventFanout`.
    public let realtime: RealtimeHub
    let readiness: Readiness

    public var configuration: ServerConfiguration { infrastructure.configuration }
    public var metrics: ServerMetrics { infrastructure.metrics }
    public var database: Database { infrastructure.database }
    public var redis: RedisClient { infrastructure.redis }
    public var logger: Logger { infrastructure.logger }
    /// Every Redis key, stream, group and channel name (`redis.keyPrefix`).
    public var namespace: RedisNamespace { infrastructure.namespace }
    public var requests: RequestStore { requestService.store }
    public var users: UserStore { signIn.users }

    public convenience init(configuration: ServerConfiguration, logger: Logger) throws {
        try self.init(infrastructure: Infrastructure(configuration: configuration, logger: logger))
    }

    public init(infrastructure: Infrastructure) {
        self.infrastructure = infrastructure
        let configuration = infrastructure.configuration
        let (metrics, primary, redis, logger) = (infrastructure.metrics, infrastructure.database.primary, infrastructure.redis, infrastructure.logger)
        let users = UserStore(primary: primary)
        let namespace = infrastructure.namespace
        let sessions = SessionCache(redis: redis, ttlSeconds: configuration.auth.sessionCacheSeconds, namespace: namespace)
        let rateLimiter = RateLimiter(redis: redis, configuration: configuration.rateLimit, metrics: metrics, namespace: namespace)
        self.rateLimiter = rateLimiter
        let authenticator = Authenticator(
            users: users,
            cache: sessions,
            unknown: UnknownTokens(lifetime: .seconds(configuration.auth.negativeCacheSeconds)),
            lookups: Quota(limiter: rateLimiter, perMinute: configuration.rateLimit.tokenLookupsPerAddressPerMinute)
        )
        self.authenticator = authenticator
        let sealer = CodeSealer(secret: configuration.auth.secret)
        let provider = ProviderClient(configuration: configuration.provider, sealer: sealer)
        self.provider = provider
        let sideEffects = SideEffects(mode: configuration.sideEffects.mode, provider: provider, primary: primary, metrics: metrics, logger: logger)
        self.sideEffects = sideEffects
        self.requestService = RequestService(
            store: RequestStore(primary: primary),
            sideEffects: sideEffects,
            publisher: EventPublisher(redis: redis, logger: logger, channel: namespace.events),
            creations: Quota(limiter: rateLimiter, perMinute: configuration.rateLimit.perUserPerMinute),
            metrics: metrics
        )
        self.signIn = SignInService(
            users: users,
            authenticator: authenticator,
            sideEffects: sideEffects,
            rateLimiter: rateLimiter,
            sealer: sealer,
            auth: configuration.auth,
            limits: configuration.rateLimit
        )
        self.realtime = RealtimeHub(configuration: configuration.realtime, metrics: metrics)
        self.readiness = Readiness(database: infrastructure.database, redis: redis, metrics: metrics)
    }

    /// Makes `phone` an operator and drops its cached sessions so the role applies at once.
    public func grantOperator(phone: String) async throws -> UserStore.User {
        try await infrastructure.grantOperator(phone: phone)
    }

    /// What the queue machinery needs from this process.
    public var queueParts: QueueSystem.Parts {
        QueueSystem.Parts(infrastructure: infrastructure, provider: provider)
    }

    /// Closes pools and clients; called last during shutdown.
    public func close() async {
        await infrastructure.close()
        await provider.shutdown()
    }
}

extension ExchangeServices {
    /// See ``Infrastructure/plantCode(phone:code:)``.
    public func plantCode(phone: String, code: String) async throws {
        try await infrastructure.plantCode(phone: phone, code: code)
    }
}
