import Foundation
import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle
import TestSupport
import WireJSON

@testable import Server

/// Where the queue tests run: a PostgreSQL database and a Redis logical database of their own
/// (on the shared dev services), so that no other suite's dispatcher or workers — which use
/// `exchange` and Redis db 0 — ever touch their outbox rows or streams, and the other way round.
/// The queue suite is serialized: its tests share this outbox.
enum QueueTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static let adminURL = environment["EXCHANGE_TEST_DB_URL"] ?? "postgresql://postgres@127.0.0.1:55432/exchange"
    static let databaseName = "exchange_queues_test"
    static var databaseURL: String {
        guard let slash = adminURL.lastIndex(of: "/") else { return adminURL }
        return adminURL[..<slash] + "/" + databaseName
    }
    static let redisURL = PrivateRedis.queues

    /// Creates the database once per process (if missing) and migrates it.
    static let prepared = Task<Void, Error> {
        let admin = PostgresPool(configuration: PostgresConfiguration(url: adminURL, name: "queue-test-admin", poolSize: 1))
        defer { admin.close() }
        let exists = try await admin.query(PostgresQuery("queue_test_db_exists", "SELECT 1 FROM pg_database WHERE datname = $1"), [databaseName])
        if exists.isEmpty {
            do { try await admin.execute("CREATE DATABASE \(databaseName)") } catch {
                // Another test process may have created it meanwhile.
                let again = try await admin.query(
                    PostgresQuery("queue_test_db_exists", "SELECT 1 FROM pg_database WHERE datname = $1"),
                    [databaseName]
                )
                if again.isEmpty { throw error }
            }
        }
        let pool = PostgresPool(configuration: PostgresConfiguration(url: databaseURL, name: "queue-test-migrate", poolSize: 1))
        defer { pool.close() }
        _ = try await Migrator(pool: pool).migrate()
    }

    /// Runs `body` holding a PostgreSQL advisory lock, so that queue tests of *other* test
    /// processes (another engineer's `swift test`) never share the private outbox with ours,
    /// on an emptied private Redis database.
    static func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let lockPool = PostgresPool(configuration: PostgresConfiguration(url: adminURL, name: "queue-test-lock", poolSize: 1))
        defer { lockPool.close() }
        return try await lockPool.withConnection { connection in
            let tryLock = PostgresQuery("queue_test_lock", "SELECT pg_try_advisory_lock(7345001) AS locked")
            try await eventually("the queue tests' advisory lock", timeout: .seconds(300), every: .milliseconds(100)) {
                try await connection.query(tryLock).first?.decode("locked", as: Bool.self) == true
            }
            // Start from empty streams: a test process that stopped mid-run (or a server
            // without workers) leaves jobs behind, and a new job would queue behind them.
            try await PrivateRedis.emptied(redisURL)
            do {
                let result = try await body()
                _ = try? await connection.query(PostgresQuery("queue_test_unlock", "SELECT pg_advisory_unlock(7345001)"))
                return result
            } catch {
                _ = try? await connection.query(PostgresQuery("queue_test_unlock", "SELECT pg_advisory_unlock(7345001)"))
                throw error
            }
        }
    }

    static func configuration(providerURL: String, _ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.http.port = 0
        configuration.db.primary.url = databaseURL
        configuration.redis.url = redisURL
        configuration.sideEffects.mode = .queued
        configuration.provider.url = providerURL
        configuration.provider.timeoutMs = 5000
        configuration.rateLimit.perUserPerMinute = 100_000
        configuration.rateLimit.otpPerPhonePerMinute = 100_000
        configure(&configuration)
        return configuration
    }
}

/// Exchange services on the queue-test databases, a provider, and queue keys under a prefix of
/// the test's own, with fast timings.
struct QueueHarness: Sendable {
    let services: ExchangeServices
    let provider: TestProvider
    let keys: QueueKeys
    let options: QueueSystem.Options

    static func with<T: Sendable>(
        latencyMs: Int = 0,
        configure: @Sendable (inout QueueSystem.Options) -> Void = { _ in },
        _ body: @Sendable (QueueHarness) async throws -> T
    ) async throws -> T {
        try await QueueTestEnvironment.prepared.value
        return try await QueueTestEnvironment.exclusively { try await with(latencyMs: latencyMs, configure: configure, unlocked: body) }
    }

    private static func with<T: Sendable>(
        latencyMs: Int,
        configure: @Sendable (inout QueueSystem.Options) -> Void,
        unlocked body: @Sendable (QueueHarness) async throws -> T
    ) async throws -> T {
        try await TestProvider.with(latencyMs: latencyMs) { provider in
            var logger = Logger(label: "queue-test")
            logger.logLevel = .warning
            let services = try ExchangeServices(configuration: QueueTestEnvironment.configuration(providerURL: provider.url), logger: logger)
            let keys = QueueKeys(prefix: "qtest-\(UUID().uuidString.prefix(8).lowercased())")
            var options = QueueSystem.Options(configuration: services.configuration)
            options.keys = keys
            options.consumer.blockTime = .milliseconds(200)
            options.consumer.shutdownGrace = .seconds(5)
            options.dispatcher.idlePoll = .milliseconds(10)
            options.moverInterval = .milliseconds(20)
            options.policies = Dictionary(
                uniqueKeysWithValues: QueueName.allCases.map {
                    ($0, RetryPolicy(maxAttempts: $0.maxAttempts, baseDelay: .milliseconds(100), jitter: 0.2))
                }
            )
            configure(&options)
            let harness = QueueHarness(services: services, provider: provider, keys: keys, options: options)
            do {
                try await harness.forgetOtherOutboxRows()
                let result = try await body(harness)
                await harness.cleanUp()
                return result
            } catch {
                await harness.cleanUp()
                throw error
            }
        }
    }

    /// Earlier tests' leftovers in this private outbox would be dispatched under our prefix.
    func forgetOtherOutboxRows() async throws {
        try await services.database.primary.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
    }

    func cleanUp() async {
        _ = try? await services.redis.del(QueueName.allCases.flatMap(keys.all))
        await services.close()
    }

    // MARK: Services

    func dispatcher(redis: (any RedisCommandExecutor)? = nil) -> OutboxDispatcher {
        QueueSystem.dispatcher(services.queueParts, options, redis: redis)
    }

    func worker(visibilityTimeout: Duration? = nil) -> QueueWorker {
        var options = options
        options.workerCount = 1
        if let visibilityTimeout { options.consumer.visibilityTimeout = visibilityTimeout }
        return QueueSystem.workers(services.queueParts, options)[0]
    }

    var mover: DelayedJobMover { QueueSystem.mover(services.queueParts, options) }
    var sampler: QueueDepthSampler { QueueSystem.sampler(services.queueParts, options) }

    /// Runs `list` in a service group while `body` runs, then shuts them down gracefully.
    func running<T: Sendable>(_ list: [any Service], _ body: @Sendable () async throws -> T) async throws -> T {
        try await withRunningServices(list, logger: services.logger, body)
    }

    // MARK: Data

    /// Commits a new request with its queued side effects (the creation's analytics event), as
    /// `POST /api/requests` does; returns its id and the analytics job's idempotency key.
    func createRequest(userID: String) async throws -> (id: String, key: String) {
        let created = try await services.requestService.create(by: Actor(id: userID, role: .user)) {
            RequestService.NewRequest(fiat: .USD, amount: "10.00", crypto: .BTC)
        }.request
        let key = try await services.database.primary.query(
            PostgresQuery("queue_test_event_key", "SELECT idempotency_key FROM outbox WHERE request_id = $1::uuid AND kind = 'events'"),
            [created.id]
        ).first?.decode("idempotency_key", as: String.self)
        guard let key else { throw TestFailure("no outbox row for request \(created.id)") }
        return (created.id, key)
    }

    /// Commits an OTP for `phone` with its SMS in the outbox, as `POST /api/auth/otp` does;
    /// returns the SMS job's idempotency key.
    func issueCode(phone: String) async throws -> String {
        let key = JobKey.newCode()
        try await services.users.issueCode(
            phone: phone,
            codeHash: "x",
            ttlSeconds: 300,
            outbox: SideEffectPlan.otp(phone: phone, code: "123456", key: key, sealer: CodeSealer(secret: services.configuration.auth.secret))
        )
        return key.job(.sms)
    }

    func newUser() async throws -> String {
        try await services.users.ensureUser(phone: TestExchange.randomPhone()).id
    }

    func depth(_ queue: QueueName) async throws -> QueueDepthSampler.Depth {
        try await sampler.depth(queue)
    }

    func counter(_ queue: QueueName, _ outcome: String) -> Int {
        MetricText.value(services.metrics.registry.render(), "queue_jobs_total", labels: ["queue": queue.rawValue, "outcome": outcome]).map {
            Int($0)
        } ?? 0
    }
}

/// Reads one sample from Prometheus text.
enum MetricText {
    static func value(_ text: String, _ name: String, labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == "{" || rest.first == " " else { continue }
            if labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }), let value = line.split(separator: " ").last {
                return Double(value)
            }
        }
        return nil
    }
}
