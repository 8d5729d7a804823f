import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the Hummingbird application: middleware, routes, and the background services that
/// live as long as the server (replica monitor, outbox dispatcher, workers, event fan-out).
public enum ExchangeApplication {
    public static func build(
        services: ExchangeServices,
        extraServices: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: ExchangeContext.self)
        router.add(middleware: MetricsMiddleware(metrics: services.metrics))
        router.add(middleware: ErrorMiddleware())
        OperationalRoutes(services: services).register(on: router)
        AuthRoutes(services: services).register(on: router)
        RequestRoutes(services: services).register(on: router)
        StatsRoutes(services: services).register(on: router)
        RealtimeEndpoint(services: services).register(on: router)

        let configuration = services.configuration
        let background: [any Service] = [
            ShutdownCloser(services: services),
            ReplicaMonitor(database: services.database, interval: .milliseconds(configuration.db.routing.lagCheckIntervalMs)),
            EventFanout(hub: services.realtime, redis: services.redis.configuration, logger: services.logger, channel: services.namespace.events),
        ] + QueueSystem.backgroundServices(services) + extraServices
        return Application(
            router: router,
            server: RealtimeEndpoint(services: services).server,
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
    let services: ExchangeServices

    func run() async throws {
        try? await gracefulShutdown()
        await services.close()
    }
}
