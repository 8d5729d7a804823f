import Foundation
import PostgresClient
import RedisClient
import TestSupport
import Testing

@testable import Server

/// Stall detection: the oldest outbox row's and the oldest queued job's age grow while nothing
/// moves them, return to 0 once something does, and disappear (not freeze) when they cannot be
/// sampled. Uses the queue suite's private database and key prefix, so no other dispatcher or
/// worker touches these rows.
@Suite(.serialized) struct StallMetricsTests {
    @Test func outboxAgeGrowsWhileTheDispatcherIsPausedAndResetsWhenItRuns() async throws {
        try await QueueHarness.with { h in
            _ = try await h.issueCode(phone: TestExchange.randomPhone())
            // No dispatcher runs: the row waits, and its age (computed by PostgreSQL) grows.
            await h.sampler.sampleOnce()
            let first = try #require(value(h, "exchange_outbox_oldest_age_seconds"))
            #expect(value(h, "outbox_pending") == 1)
            try await eventually(#"(value(h, "exchange_outbox_oldest_age_seconds") ?? 0) >= first + 1"#) {
                await h.sampler.sampleOnce()
                return (value(h, "exchange_outbox_oldest_age_seconds") ?? 0) >= first + 1
            }
            // The dispatcher moves it onto the stream: the outbox is empty again, and the job's
            // age in the critical stream (Redis clock) grows while no worker takes it.
            try await h.running([h.dispatcher()]) {
                try await eventually(#"value(h, "exchange_outbox_oldest_age_seconds") == 0 && value(h, "outbox_pending") == 0"#) {
                    await h.sampler.sampleOnce()
                    return value(h, "exchange_outbox_oldest_age_seconds") == 0 && value(h, "outbox_pending") == 0
                }
            }
            await h.sampler.sampleOnce()
            let queued = try #require(value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "critical"]))
            try await eventually(#"(value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "critical"]) ?? 0) >= queued + 1"#) {
                await h.sampler.sampleOnce()
                return (value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "critical"]) ?? 0) >= queued + 1
            }
            #expect(value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "standard"]) == 0)
            try await h.running([h.worker()]) {
                try await eventually(#"value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "critical"]) == 0"#) {
                    await h.sampler.sampleOnce()
                    return value(h, "exchange_queue_oldest_job_age_seconds", ["queue": "critical"]) == 0
                }
            }
        }
    }

    @Test func gaugesThatCannotBeSampledAreDroppedNotFrozen() async throws {
        try await QueueHarness.with { h in
            await h.sampler.sampleOnce()
            let before = h.services.metrics.registry.render()
            #expect(MetricText.value(before, "queue_depth", labels: ["queue": "critical", "state": "waiting"]) != nil)
            #expect(MetricText.value(before, "exchange_outbox_oldest_age_seconds") != nil)

            var unreachable = RedisConfiguration(host: "127.0.0.1", port: 1)
            unreachable.connectTimeout = .milliseconds(200)
            let deadRedis = RedisClient(configuration: unreachable)
            let deadPrimary = PostgresPool(
                configuration: PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/exchange", name: "dead", poolSize: 1)
            )
            let blind = QueueDepthSampler(
                redis: deadRedis,
                primary: deadPrimary,
                keys: h.keys,
                interval: .seconds(1),
                metrics: h.services.metrics,
                logger: h.services.logger
            )
            await blind.sampleOnce()
            let after = h.services.metrics.registry.render()
            for name in ["queue_depth", "exchange_queue_oldest_job_age_seconds", "outbox_pending", "exchange_outbox_oldest_age_seconds"] {
                #expect(MetricText.value(after, name) == nil, "\(name) must disappear while it cannot be sampled")
            }
            #expect(!after.contains("# TYPE queue_depth "), "a family without series is not rendered")
            // Back to a working sampler: the series return.
            await h.sampler.sampleOnce()
            #expect(
                MetricText.value(h.services.metrics.registry.render(), "exchange_queue_oldest_job_age_seconds", labels: ["queue": "critical"]) != nil
            )
            deadPrimary.close()
            await deadRedis.shutdown()
        }
    }

    private func value(_ h: QueueHarness, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        MetricText.value(h.services.metrics.registry.render(), name, labels: labels)
    }
}
