import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle

/// Entry point of the queued side-effect machinery (docs/design.md §6): the outbox dispatcher, the
/// workers, the delayed-job mover and the depth sampler, built from the configuration.
public enum QueueSystem {
    /// Everything tunable, with the configuration's values (`workers.*`) and the contract's
    /// retry policies as defaults. Tests shorten the timings.
    public struct Options: Sendable {
        public var keys = QueueKeys.standard
        public var queues = QueueName.allCases
        /// Workers in this process (each one consumer per queue).
        public var workerCount = 1
        public var consumer = ConsumerOptions()
        public var dispatcher = OutboxDispatcher.Options()
        public var policies: [QueueName: RetryPolicy] = Dictionary(uniqueKeysWithValues: QueueName.allCases.map { ($0, .standard(for: $0)) })
        public var moverInterval: Duration = .milliseconds(100)
        public var samplerInterval: Duration = .seconds(1)

        public init(configuration: ServerConfiguration) {
            keys = RedisNamespace(prefix: configuration.redis.keyPrefix).queues
            workerCount = configuration.workers.count
            consumer.concurrency = configuration.workers.concurrency
            consumer.visibilityTimeout = .milliseconds(configuration.workers.visibilityTimeoutMs)
            // A job's provider call ends within the provider timeout; give it that long to finish.
            consumer.shutdownGrace = .milliseconds(min(configuration.provider.timeoutMs + 1000, 30_000))
            dispatcher.maxStreamLength = configuration.workers.maxStreamLength
        }

        public var maxStreamLength: Int { dispatcher.maxStreamLength }
    }

    /// What the queue machinery uses of its process: the primary (outbox), Redis (streams),
    /// the provider (the calls themselves), metrics and logs.
    public struct Parts: Sendable {
        let configuration: ServerConfiguration
        let primary: PostgresPool
        let redis: RedisClient
        let provider: ProviderClient
        let metrics: ServerMetrics
        let logger: Logger

        public init(infrastructure: Infrastructure, provider: ProviderClient) {
            configuration = infrastructure.configuration
            primary = infrastructure.database.primary
            redis = infrastructure.redis
            self.provider = provider
            metrics = infrastructure.metrics
            logger = infrastructure.logger
        }
    }

    /// Background services the server runs in-process: the dispatcher and the depth sampler
    /// always (sync mode's failed calls go through the outbox too), the workers and the
    /// delayed-job mover when `workers.count > 0`.
    static func backgroundServices(_ services: Parts) -> [any Service] {
        backgroundServices(services, options: Options(configuration: services.configuration))
    }

    static func backgroundServices(_ services: Parts, options: Options) -> [any Service] {
        var list: [any Service] = [dispatcher(services, options), sampler(services, options)]
        if options.workerCount > 0 {
            list.append(mover(services, options))
            list += workers(services, options).map { $0 as any Service }
        }
        return list
    }

    /// What `exchange-server worker` runs: workers (at least one) for `options.queues`, the
    /// delayed-job mover, the depth sampler, the readiness monitor, `extraServices` (its
    /// `/metrics` server) and, unless `dispatch` is false, a dispatcher.
    /// Listed so that graceful shutdown stops the workers first and closes the clients last.
    public static func workerProcessServices(
        _ services: Parts,
        options: Options,
        dispatch: Bool = true,
        extraServices: [any Service] = [],
        onShutdown: @escaping @Sendable () async -> Void
    ) -> [any Service] {
        var options = options
        options.workerCount = max(1, options.workerCount)
        var list: [any Service] = [ShutdownCloser(close: onShutdown)] + extraServices
        list += [sampler(services, options), mover(services, options)]
        if dispatch { list.append(dispatcher(services, options)) }
        return list + workers(services, options).map { $0 as any Service }
    }

    /// Runs ``workerProcessServices(_:options:dispatch:)`` as one service group until SIGTERM or
    /// SIGINT, then shuts down gracefully (in-flight jobs finish and are acknowledged).
    public static func runWorkerProcess(
        _ services: Parts,
        options: Options,
        dispatch: Bool = true,
        extraServices: [any Service] = [],
        onShutdown: @escaping @Sendable () async -> Void
    ) async throws {
        let group = ServiceGroup(
            services: workerProcessServices(services, options: options, dispatch: dispatch, extraServices: extraServices, onShutdown: onShutdown),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: services.logger
        )
        try await group.run()
    }

    static func dispatcher(_ services: Parts, _ options: Options, redis: (any RedisCommandExecutor)? = nil) -> OutboxDispatcher {
        OutboxDispatcher(
            primary: services.primary,
            redis: redis ?? services.redis,
            keys: options.keys,
            options: options.dispatcher,
            metrics: services.metrics,
            logger: services.logger
        )
    }

    static func sampler(_ services: Parts, _ options: Options) -> QueueDepthSampler {
        QueueDepthSampler(
            redis: services.redis,
            primary: services.primary,
            keys: options.keys,
            interval: options.samplerInterval,
            metrics: services.metrics,
            logger: services.logger
        )
    }

    static func mover(_ services: Parts, _ options: Options) -> DelayedJobMover {
        DelayedJobMover(
            redis: services.redis,
            keys: options.keys,
            queues: options.queues,
            interval: options.moverInterval,
            metrics: services.metrics,
            logger: services.logger
        )
    }

    static func workers(_ services: Parts, _ options: Options) -> [QueueWorker] {
        (0..<options.workerCount).map { index in
            QueueWorker(
                name: QueueWorker.uniqueName(index: index),
                queues: options.queues,
                redis: services.redis,
                provider: services.provider,
                keys: options.keys,
                policies: options.policies,
                options: options.consumer,
                metrics: services.metrics,
                logger: services.logger
            )
        }
    }

    /// The dead-letter streams, for `exchange-server jobs`.
    public static func deadLetters(_ infrastructure: Infrastructure, keys: QueueKeys? = nil) -> DeadLetters {
        DeadLetters(redis: infrastructure.redis, keys: keys ?? infrastructure.namespace.queues)
    }
}
