import Foundation
import PostgresClient
import RedisClient
import Synchronization

/// Probes each dependency with a short, real round trip on connections of its own — never a
/// pool's, so a busy pool doesn't read as "primary down" — and exports the result as
/// `exchange_ready_check{dependency}` (1 ok, 0 down) and, on success,
/// `exchange_ready_check_last_success_timestamp_seconds{dependency}`.
///
/// ``ReadinessMonitor`` runs a check every ``interval``; `GET /ready` answers from the latest
/// result while it is fresh and checks itself otherwise. Checks are single-flight: callers
/// arriving while one runs share its result.
public final class Readiness: Sendable {
    struct Checks: Sendable, Equatable {
        var postgres: Bool
        var replica: Bool
        var redis: Bool
    }

    /// How often the background monitor checks.
    static let interval: Duration = .seconds(5)
    /// Longest one probe may take before it counts as down.
    static let timeout: Duration = .seconds(2)
    static let probe = PostgresQuery("ready_probe", "SELECT 1 AS ok")

    let metrics: ServerMetrics
    private let primary: PostgresProbe
    private let replica: PostgresProbe
    private let redis: RedisConnection
    private let latest = Mutex<(checks: Checks, at: ContinuousClock.Instant)?>(nil)
    private let running = Mutex<Task<Checks, Never>?>(nil)

    public init(database: Database, redis: RedisClient, metrics: ServerMetrics) {
        self.metrics = metrics
        self.primary = PostgresProbe(pool: database.primary.configuration, name: "ready-primary")
        self.replica = PostgresProbe(pool: database.replica.configuration, name: "ready-replica")
        var redisConfiguration = redis.configuration
        redisConfiguration.commandTimeout = Self.timeout
        self.redis = RedisConnection(configuration: redisConfiguration, name: "redis-ready")
    }

    /// The latest result if it is younger than two intervals, else a fresh check.
    func current() async -> Checks {
        if let last = latest.withLock({ $0 }), ContinuousClock.now - last.at < Self.interval * 2 { return last.checks }
        return await check()
    }

    /// Probes every dependency now (or joins the probe already running) and exports the result.
    func check() async -> Checks {
        let task = running.withLock { running -> Task<Checks, Never> in
            if let task = running { return task }
            // Unstructured on purpose: callers that join share it, and it outlives none of them
            // by more than `timeout`.
            let task = Task { await self.probeAll() }
            running = task
            return task
        }
        let checks = await task.value
        running.withLock { if $0 == task { $0 = nil } }
        return checks
    }

    /// Closes the probe connections (at shutdown).
    func close() async {
        primary.close()
        replica.close()
        await redis.close()
    }

    private func probeAll() async -> Checks {
        async let primaryOK = primary.isReachable(timeout: Self.timeout)
        async let replicaOK = replica.isReachable(timeout: Self.timeout)
        async let redisOK = pingRedis()
        let checks = Checks(postgres: await primaryOK, replica: await replicaOK, redis: await redisOK)
        record(checks)
        return checks
    }

    private func pingRedis() async -> Bool {
        await withDeadline(Self.timeout) { [redis] in (try? await redis.ping()) != nil } ?? false
    }

    private func record(_ checks: Checks) {
        let now = Date().timeIntervalSince1970
        for (dependency, ok) in [("postgres", checks.postgres), ("replica", checks.replica), ("redis", checks.redis)] {
            metrics.readyCheck(dependency).set(ok ? 1.0 : 0.0)
            if ok { metrics.readyCheckLastSuccess(dependency).set(now) }
        }
        latest.withLock { $0 = (checks, .now) }
    }
}

/// One PostgreSQL connection kept open for readiness probes, reopened after any failure.
/// Used by one probe at a time (``Readiness`` is single-flight).
final class PostgresProbe: Sendable {
    private let configuration: PostgresConfiguration
    private let connection = Mutex<PostgresConnection?>(nil)

    init(pool: PostgresConfiguration, name: String) {
        var configuration = pool
        configuration.name = name
        configuration.poolSize = 1
        configuration.connectTimeout = Readiness.timeout
        configuration.statementTimeout = Readiness.timeout
        self.configuration = configuration
    }

    func isReachable(timeout: Duration) async -> Bool {
        let ok = await withDeadline(timeout) { [self] in await roundTrip() } ?? false
        if !ok { close() }
        return ok
    }

    func close() {
        connection.withLock { connection in
            connection?.close()
            connection = nil
        }
    }

    private func roundTrip() async -> Bool {
        do {
            let open: PostgresConnection
            if let existing = connection.withLock({ $0 }), !existing.isBroken {
                open = existing
            } else {
                open = try await PostgresConnection.connect(configuration: configuration)
                connection.withLock { $0 = open }
            }
            return try await open.query(Readiness.probe).count == 1
        } catch {
            return false
        }
    }
}

/// `body`'s result, or `nil` when it takes longer than `timeout`. A probe stuck in a blocking
/// call (a black-holed TCP connection) is left to finish on its own thread; its result is dropped.
func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let once = ResumeOnce(continuation)
        let work = Task { once.resume(await body()) }
        Task {
            try? await Task.sleep(for: timeout)
            once.resume(nil)
            work.cancel()
        }
    }
}

/// Resumes a continuation with the first value offered; later ones are dropped.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: T?) {
        continuation.withLock { continuation in
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
}
