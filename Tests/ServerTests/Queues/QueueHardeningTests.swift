import Foundation
import PostgresClient
import RedisClient
import TestSupport
import Testing

@testable import Server

/// Issue 12 items 10 and 11: streams are bounded by backpressure (nothing committed is
/// trimmed), and a job whose worker dies on it every time ends in the dead letters.
@Suite(.serialized) struct QueueHardeningTests {
    @Test func backpressureKeepsEveryJobWhenConsumersStall() async throws {
        try await QueueHarness.with(configure: {
            $0.dispatcher.maxStreamLength = 100
            $0.dispatcher.batchSize = 50
        }) { h in
            let user = try await h.newUser()
            // 3× the stream limit of analytics jobs (one per created request).
            let keys = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        var keys: [String] = []
                        for _ in 0..<50 { keys.append(try await h.createRequest(userID: user).key) }
                        return keys
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(keys.count == 300)
            let stream = h.keys.stream(.analytics)
            let pending = PostgresQuery("queue_test_outbox_pending", "SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL")
            // No worker runs: the dispatcher fills the stream to its limit and stops there.
            try await h.running([h.dispatcher()]) {
                try await eventually("the analytics stream filled to its limit") { try await h.services.redis.xlen(stream) >= 100 }
                // A few more dispatcher rounds, which must not move anything.
                let backpressure = {
                    MetricText.value(h.services.metrics.registry.render(), "queue_backpressure_total", labels: ["queue": "analytics"]) ?? 0
                }
                let held = backpressure()
                try await eventually("three more rounds held back by backpressure") { backpressure() >= held + 3 }
                let length = try await h.services.redis.xlen(stream)
                #expect(length <= 150, "the stream may pass its limit by one batch at most: \(length)")
                let left: Int = try await h.services.database.primary.query(pending).first?.decode("n") ?? 0
                #expect(left + length == 300, "the rest waits in the outbox: \(left) + \(length)")
            }
            // Consumers come back: every committed job is delivered exactly once.
            try await h.running([h.dispatcher(), h.mover, h.worker()]) {
                try await eventually("every committed job delivered", timeout: .seconds(60)) {
                    keys.allSatisfy { !h.provider.messages(key: $0).isEmpty }
                }
            }
            #expect(keys.filter { h.provider.messages(key: $0).count != 1 }.isEmpty)
            #expect(try await h.services.redis.xlen(stream) == 0, "acknowledged entries are deleted")
            let metrics = h.services.metrics.registry.render()
            #expect((MetricText.value(metrics, "queue_backpressure_total", labels: ["queue": "analytics"]) ?? 0) > 0)
        }
    }

    @Test func aJobWhoseWorkerDiesEveryTimeIsDeadLettered() async throws {
        try await QueueHarness.with { h in
            let stream = h.keys.stream(.critical)
            let key = "poison-\(UUID().uuidString.lowercased()):sms"
            _ = try await h.services.redis.xgroupCreate(stream, group: h.keys.group, id: "0", mkstream: true)
            let id = try await h.services.redis.send([
                "XADD", stream, "*", "jobId", key, "kind", "sms", "payload", #"{"to":"+15550000000","body":"x"}"#,
                "attempt", "1", "enqueuedAt", String(UnixTime.nowMs()), "errors", "[]",
            ]).string
            let entryID = try #require(id)
            // Five deliveries to workers that died before settling it (critical: maxAttempts 5).
            _ = try await h.services.redis.send(["XREADGROUP", "GROUP", h.keys.group, "ghost", "COUNT", "1", "STREAMS", stream, ">"])
            _ = try await h.services.redis.send(["XCLAIM", stream, h.keys.group, "ghost", "0", entryID, "RETRYCOUNT", "5"])
            try await h.running([h.worker(visibilityTimeout: .milliseconds(100))]) {
                try await eventually("the poison job dead-lettered") { try await h.depth(.critical).dead == 1 }
            }
            let letters = try await DeadLetters(redis: h.services.redis, keys: h.keys).list(queue: .critical)
            #expect(letters.map(\.jobId) == [key])
            #expect(letters.first?.lastError.contains("without an outcome") == true)
            #expect(h.provider.messages(key: key).isEmpty, "a poison job is not run again")
            #expect(try await h.depth(.critical) == .init(waiting: 0, active: 0, delayed: 0, dead: 1))
            let metrics = h.services.metrics.registry.render()
            #expect(MetricText.value(metrics, "queue_poison_jobs_total", labels: ["queue": "critical"]) == 1)
        }
    }

    @Test func providerTimeoutMustBeShorterThanTheVisibilityTimeout() throws {
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(
                file: nil,
                environment: [
                    "EXCHANGE_PROVIDER_TIMEOUT_MS": "30000", "EXCHANGE_WORKERS_VISIBILITY_TIMEOUT_MS": "30000",
                ]
            )
        }
        do {
            _ = try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_PROVIDER_TIMEOUT_MS": "40000"])
            Issue.record("provider.timeoutMs ≥ workers.visibilityTimeoutMs was accepted")
        } catch let error as ConfigurationError {
            #expect(error.field == "provider.timeoutMs")
        }
        #expect(throws: Never.self) {
            try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_PROVIDER_TIMEOUT_MS": "29999"])
        }
    }
}
