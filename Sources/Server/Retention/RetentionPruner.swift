import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle

/// The periodic pruning job: what the server no longer needs is deleted, so tables and Redis
/// stay bounded and nothing sensitive lingers past its use.
///
/// | what | removed when |
/// |---|---|
/// | `sessions` | expired (`expires_at` passed) |
/// | `otp_codes` | expired, or void after too many wrong guesses (used codes are deleted on use) |
/// | `otp_guesses` | the phone's wrong-code window ended more than an hour ago |
/// | `outbox` | dispatched more than `retention.outboxAgeHours` ago |
/// | `queue:critical:completed` | entries older than `retention.completedJobsAgeHours` (`XTRIM MINID`) |
/// | `request_stats_hourly` shards | folded into one row per hour and currency once the hour is over (`request_stats_compact`) |
///
/// Rows go in batches of `retention.batchSize`, one short statement each. Every removal is
/// counted in `retention_pruned_total{kind}`; rounds in `retention_runs_total{result}`.
/// Several server processes may prune at once: the deletes are idempotent.
struct RetentionPruner: Service {
    let primary: PostgresPool
    let redis: any RedisCommandExecutor
    let keys: QueueKeys
    let retention: ServerConfiguration.Retention
    let otpMaxAttempts: Int
    let metrics: ServerMetrics
    let logger: Logger

    static let expiredSessions = PostgresQuery(
        "retention_sessions",
        """
        DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at < now() LIMIT $1)
        """
    )
    static let deadCodes = PostgresQuery(
        "retention_otp",
        """
        DELETE FROM otp_codes WHERE phone IN (SELECT phone FROM otp_codes WHERE expires_at < now() OR attempts >= $2 LIMIT $1)
        """
    )
    static let endedGuessWindows = PostgresQuery(
        "retention_otp_guesses",
        """
        DELETE FROM otp_guesses WHERE phone IN (
            SELECT phone FROM otp_guesses WHERE window_started_at < now() - interval '1 hour' LIMIT $1)
        """
    )
    static let oldOutbox = PostgresQuery(
        "retention_outbox",
        """
        DELETE FROM outbox WHERE id IN (
            SELECT id FROM outbox WHERE dispatched_at < now() - make_interval(hours => $2::int) LIMIT $1)
        """
    )

    /// Not a deletion of data: the stats rollup's per-backend shards of past hours are summed
    /// into one row (see `StatsRollupSchema`), so long stats windows read few rows.
    static let statsShards = PostgresQuery("retention_stats_shards", "SELECT request_stats_compact($1::int) AS affected")

    func run() async throws {
        guard retention.intervalMs > 0 else {
            // Off: stay up until shutdown (a service that returns would stop the whole group).
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await pruneOnce()
                metrics.retentionRuns("ok").increment()
            } catch {
                if Task.isCancelled { break }
                metrics.retentionRuns("failed").increment()
                logger.warning("retention pruning failed; next round retries", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(retention.intervalMs)) }
        }
    }

    /// One round over everything; returns how many of each kind it removed.
    @discardableResult
    func pruneOnce(nowMs: Int64 = UnixTime.nowMs()) async throws -> [String: Int] {
        var removed: [String: Int] = [:]
        removed["sessions"] = try await deleteInBatches(Self.expiredSessions, [])
        removed["otp_codes"] = try await deleteInBatches(Self.deadCodes, [otpMaxAttempts])
        removed["otp_guesses"] = try await deleteInBatches(Self.endedGuessWindows, [])
        removed["outbox"] = try await deleteInBatches(Self.oldOutbox, [retention.outboxAgeHours])
        removed["stats_rollup_shards"] = try await compactStatsShards()
        let minID = nowMs - Int64(retention.completedJobsAgeHours) * 3_600_000
        removed["completed_jobs"] = try await redis.send(["XTRIM", keys.completed(.critical), "MINID", String(minID)]).int ?? 0
        for (kind, count) in removed where count > 0 {
            metrics.retentionPruned(kind).increment(by: Int64(count))
        }
        return removed
    }

    private func compactStatsShards() async throws -> Int {
        var total = 0
        while !Task.isCancelled {
            let folded = try await primary.query(Self.statsShards, [retention.batchSize]).first?.decode("affected", as: Int.self) ?? 0
            total += folded
            if folded < retention.batchSize { break }
        }
        return total
    }

    private func deleteInBatches(_ statement: PostgresQuery, _ extra: [(any PostgresBindable)?]) async throws -> Int {
        var total = 0
        while !Task.isCancelled {
            let affected = try await primary.query(statement, [retention.batchSize] + extra).affected
            total += affected
            if affected < retention.batchSize { break }
        }
        return total
    }
}

extension RetentionPruner {
    init(infrastructure: Infrastructure, keys: QueueKeys = .standard) {
        self.init(
            primary: infrastructure.database.primary,
            redis: infrastructure.redis,
            keys: keys,
            retention: infrastructure.configuration.retention,
            otpMaxAttempts: infrastructure.configuration.auth.otpMaxAttempts,
            metrics: infrastructure.metrics,
            logger: infrastructure.logger
        )
    }
}
