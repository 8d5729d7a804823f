import Foundation
import PostgresClient
import RedisClient
import Testing

@testable import Server

/// Issue 12 item 12: the pruning job removes what has expired or served its purpose, and only that.
@Suite struct RetentionTests {
    static let plantSession = PostgresQuery(
        "t_plant_session",
        """
        INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2::uuid, now() + make_interval(secs => $3::float8))
        """
    )
    static let sessionExists = PostgresQuery("t_session_exists", "SELECT count(*) AS n FROM sessions WHERE token_hash = $1")
    static let ageCode = PostgresQuery("t_age_code", "UPDATE otp_codes SET expires_at = now() - interval '1 minute' WHERE phone = $1")
    static let codeExists = PostgresQuery("t_code_exists", "SELECT count(*) AS n FROM otp_codes WHERE phone = $1")
    static let plantOutbox = PostgresQuery(
        "t_plant_outbox",
        """
        INSERT INTO outbox (queue, kind, idempotency_key, payload, dispatched_at)
        VALUES ('analytics', 'events', $1, '{}', now() - make_interval(hours => $2::int))
        """
    )
    static let outboxExists = PostgresQuery("t_outbox_exists", "SELECT count(*) AS n FROM outbox WHERE idempotency_key = $1")

    @Test func prunesExpiredAndOldDataOnly() async throws {
        // The server's own pruning loop is off: this test runs the rounds itself.
        try await TestExchange.with({ $0.retention.intervalMs = 0 }) { exchange in
            let services = exchange.services
            let primary = services.database.primary
            let user = try await services.users.ensureUser(phone: TestExchange.randomPhone()).id
            let expired = "t-expired-\(UUID().uuidString)"
            let live = "t-live-\(UUID().uuidString)"
            _ = try await primary.query(Self.plantSession, [expired, user, -60.0])
            _ = try await primary.query(Self.plantSession, [live, user, 3600.0])
            let oldPhone = TestExchange.randomPhone()
            let freshPhone = TestExchange.randomPhone()
            try await services.plantCode(phone: oldPhone, code: "111111")
            try await services.plantCode(phone: freshPhone, code: "222222")
            _ = try await primary.query(Self.ageCode, [oldPhone])
            let oldRow = "t-old-\(UUID().uuidString)"
            let newRow = "t-new-\(UUID().uuidString)"
            _ = try await primary.query(Self.plantOutbox, [oldRow, 48])
            _ = try await primary.query(Self.plantOutbox, [newRow, 1])
            let keys = QueueKeys(prefix: "rtest-\(UUID().uuidString.prefix(8).lowercased())")
            let trail = keys.completed(.critical)
            let oldMs = UnixTime.nowMs() - 8 * 24 * 3_600_000
            _ = try await services.redis.send(["XADD", trail, "\(oldMs)-0", "jobId", "old"])
            _ = try await services.redis.send(["XADD", trail, "*", "jobId", "new"])

            let removed = try await RetentionPruner(infrastructure: services.infrastructure, keys: keys).pruneOnce()

            func count(_ query: PostgresQuery, _ key: String) async throws -> Int {
                try await primary.query(query, [key]).first?.decode("n") ?? -1
            }
            #expect(try await count(Self.sessionExists, expired) == 0)
            #expect(try await count(Self.sessionExists, live) == 1)
            #expect(try await count(Self.codeExists, oldPhone) == 0)
            #expect(try await count(Self.codeExists, freshPhone) == 1)
            #expect(try await count(Self.outboxExists, oldRow) == 0)
            #expect(try await count(Self.outboxExists, newRow) == 1)
            #expect(try await services.redis.xrange(trail).map { $0["jobId"] } == ["new"])
            _ = try? await services.redis.del([trail])
            // Other test servers in this process prune the shared tables too, so only the trail
            // under this test's own prefix has a count that is certainly ours.
            #expect(removed["completed_jobs"] == 1)
            let metrics = services.metrics.registry.render()
            #expect(MetricText.value(metrics, "retention_pruned_total", labels: ["kind": "completed_jobs"]) == 1)
        }
    }

    @Test func redisOutOfMemoryNeverFailsOpen() {
        #expect(
            RateLimiter.failsOpen(on: RedisError.commandFailed("OOM command not allowed when used memory > 'maxmemory'."), failOpen: true) == false
        )
        #expect(RateLimiter.failsOpen(on: RedisError.connectionFailed("refused"), failOpen: true) == true)
        #expect(RateLimiter.failsOpen(on: RedisError.connectionFailed("refused"), failOpen: false) == false)
    }
}
