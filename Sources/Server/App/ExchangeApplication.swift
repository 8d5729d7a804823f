import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the Hummingbird application: middleware, routes, and the background services that
/// live as long as the server (readiness and replica monitors, outbox dispatcher, workers, event fan-out).
public enum ExchangeApplication {
    public static func build(
        services: ExchangeServices,
        extraServices: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let configuration = services.configuration
        let bodyLimit = configuration.http.maxBodyBytes
        let router = Router(context: ExchangeContext.self)
        router.add(middleware: MetricsMiddleware(metrics: services.metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: QueryStringMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(table: AllowedMethods(openAPI: OpenAPIDocument.yaml)))
        OperationalRoutes(readiness: services.readiness, database: services.database, metrics: services.metrics).register(on: router)
        let authRoutes = AuthRoutes(signIn: services.signIn, bodyLimit: bodyLimit)
        authRoutes.register(on: router)
        let api = router.group("api").add(middleware: AuthenticationMiddleware(authenticator: services.authenticator))
        authRoutes.register(on: api)
        RequestRoutes(commands: services.requestService, store: services.requests, bodyLimit: bodyLimit).register(on: api)
        StatsRoutes(database: services.database).register(on: api)
        let realtime = RealtimeEndpoint(
            authenticator: services.authenticator,
            hub: services.realtime,
            requests: services.requests,
            metrics: services.metrics,
            limits: configuration.realtime
        )
        realtime.register(on: router)

        let background: [any Service] =
            [
                ShutdownCloser(close: { await services.close() }),
                ReadinessMonitor(readiness: services.readiness),
                ReplicaMonitor(database: services.database, interval: .milliseconds(configuration.db.routing.lagCheckIntervalMs)),
                EventFanout(hub: services.realtime, redis: services.redis.configuration, logger: services.logger, channel: services.namespace.events),
                RetentionPruner(infrastructure: services.infrastructure, keys: services.namespace.queues),
            ] + QueueSystem.backgroundServices(services.queueParts) + extraServices
        return Application(
            router: router,
            server: realtime.server,
            configuration: .init(address: .hostname(configuration.http.host, port: configuration.http.port), serverName: "exchange-lab"),
            services: background,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: services.logger
        )
    }
}

/// Waits for shutdown, then closes pools and clients. Listed first, so it stops last: after
/// the HTTP server has drained in-flight requests.
struct ShutdownCloser: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
