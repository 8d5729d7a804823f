import PostgresClient
import RedisClient

/// Probes each dependency with a short, real round trip and exports the result as
/// `exchange_ready_check{dependency}` (1 ok, 0 down) for alerting.
struct Readiness: Sendable {
    let database: Database
    let redis: RedisClient
    let metrics: ServerMetrics

    struct Checks: Sendable {
        var postgres: Bool
        var replica: Bool
        var redis: Bool
    }

    static let probe = PostgresQuery("ready_probe", "SELECT 1 AS ok")

    func check() async -> Checks {
        async let primaryOK = probe(database.primary)
        async let replicaOK = probe(database.replica)
        async let redisOK = (try? await redis.ping()) != nil
        let checks = Checks(postgres: await primaryOK, replica: await replicaOK, redis: await redisOK)
        metrics.readyCheck("postgres").set(checks.postgres ? 1.0 : 0.0)
        metrics.readyCheck("replica").set(checks.replica ? 1.0 : 0.0)
        metrics.readyCheck("redis").set(checks.redis ? 1.0 : 0.0)
        return checks
    }

    private func probe(_ pool: PostgresPool) async -> Bool {
        (try? await pool.query(Self.probe).count) == 1
    }
}
