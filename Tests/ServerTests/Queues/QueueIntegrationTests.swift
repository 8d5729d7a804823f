import Foundation
import PostgresClient
import ProviderSimulator
import RedisClient
import Synchronization
import TestSupport
import Testing
import WireJSON

@testable import Server

/// The queues end to end against the real PostgreSQL, Redis and an in-process provider
/// simulator. Serialized: the tests share one private outbox (see `QueueTestEnvironment`).
@Suite(.serialized) struct QueueIntegrationTests {
    @Test func retriesWithBackoffUntilTheProviderRecovers() async throws {
        try await QueueHarness.with { h in
            try h.provider.set(errorRate: 1)
            let key = try await h.issueCode(phone: TestExchange.randomPhone())
            let started = ContinuousClock.now
            try await h.running([h.dispatcher(), h.mover, h.worker()]) {
                try await eventually(#"h.counter(.critical, "retried") >= 2"#) { h.counter(.critical, "retried") >= 2 }
                try h.provider.set(errorRate: 0)
                try await eventually(#"try await h.services.redis.xlen(h.keys.completed(.critical)) == 1"#) {
                    try await h.services.redis.xlen(h.keys.completed(.critical)) == 1
                }
            }
            let elapsed = ContinuousClock.now - started
            let delivered = h.provider.messages(key: key)
            #expect(delivered.count == 1)
            #expect(delivered.first?.kind == .sms)
            let audit = try await h.services.redis.xrange(h.keys.completed(.critical))
            #expect(audit.first?["jobId"] == key)
            let attempt = try #require(audit.first?["attempt"].flatMap(Int.init))
            #expect(attempt >= 3)
            // Attempts 2 and 3 waited out 100 ms and 200 ms (±20 %) of backoff.
            #expect(elapsed >= .milliseconds(240))
            #expect(h.counter(.critical, "failed") == attempt - 1)
            #expect(h.counter(.critical, "retried") == attempt - 1)
            #expect(h.counter(.critical, "completed") == 1)
            #expect(h.counter(.critical, "dead") == 0)
            #expect(try await h.depth(.critical) == .init(waiting: 0, active: 0, delayed: 0, dead: 0))
            let metrics = h.services.metrics.registry.render()
            #expect((MetricText.value(metrics, "queue_job_wait_seconds_count", labels: ["queue": "critical"]) ?? 0) >= Double(attempt))
            #expect(
                (MetricText.value(metrics, "side_effect_duration_seconds_count", labels: ["kind": "sms", "mode": "queued"]) ?? 0) >= Double(attempt)
            )
            #expect((MetricText.value(metrics, "outbox_dispatch_delay_seconds_count") ?? 0) >= 1)
        }
    }

    @Test func deadLettersAfterTheLastAttemptAndReDrives() async throws {
        try await QueueHarness.with { h in
            try h.provider.set(errorRate: 1)
            // A standard-queue job as sync mode records a failed call for retry.
            let key = "test-\(UUID().uuidString.lowercased()):1:email"
            let job = SideEffectJob(queue: .standard, kind: .email, key: key, requestID: nil, payload: ["to": "someone", "body": "hello"])
            try await OutboxWriter.write([job], lastError: "sync call failed", on: h.services.database.primary)
            let (_, eventKey) = try await h.createRequest(userID: try await h.newUser())
            let letters = DeadLetters(redis: h.services.redis, keys: h.keys)
            try await h.running([h.dispatcher(), h.mover, h.worker()]) {
                try await eventually("one dead job in the standard and analytics queues each") {
                    let standard = try await h.depth(.standard).dead
                    let analytics = try await h.depth(.analytics).dead
                    return standard == 1 && analytics == 1
                }
                let dead = try await letters.list(queue: .standard)
                #expect(dead.count == 1)
                let letter = try #require(dead.first)
                #expect(letter.jobId == key)
                #expect(letter.kind == "email")
                #expect(letter.attempts == 3)
                #expect(letter.errors.count == 3)
                #expect(letter.lastError.contains("503"))
                #expect(try await h.depth(.standard) == .init(waiting: 0, active: 0, delayed: 0, dead: 1))

                // Analytics is best effort: one attempt, then dead.
                let analytics = try await letters.list(queue: .analytics)
                #expect(analytics.map(\.jobId) == [eventKey])
                #expect(analytics.first?.attempts == 1)

                try h.provider.set(errorRate: 0)
                let result = try await letters.redrive(id: letter.id)
                guard case .redriven(let queue, _) = result else {
                    Issue.record("not re-driven: \(result)")
                    return
                }
                #expect(queue == .standard)
                try await eventually(#"h.provider.messages(key: key).count == 1"#) { h.provider.messages(key: key).count == 1 }
                #expect(try await letters.redrive(id: letter.id) == .notFound)
                // By job id too.
                #expect(try await letters.redrive(id: eventKey) != .notFound)
                try await eventually(#"h.provider.messages(key: eventKey).count == 1"#) { h.provider.messages(key: eventKey).count == 1 }
                try await eventually(#"try await h.depth(.standard) == .init(waiting: 0, active: 0, delayed: 0, dead: 0)"#) {
                    try await h.depth(.standard) == .init(waiting: 0, active: 0, delayed: 0, dead: 0)
                }
            }
            #expect(h.counter(.standard, "retried") == 2)
            #expect(h.counter(.standard, "dead") == 1)
            #expect(h.counter(.standard, "completed") == 1)
            #expect(h.counter(.analytics, "retried") == 0)
        }
    }

    @Test func reclaimsTheJobOfAKilledWorker() async throws {
        try await QueueHarness.with(latencyMs: 2000) { h in
            let key = try await h.issueCode(phone: TestExchange.randomPhone())
            #expect(try await h.dispatcher().dispatchOnce() == 1)
            let victim = h.worker(visibilityTimeout: .milliseconds(500))
            let killed = Task { try await victim.run() }
            // The provider lists a message on arrival; the victim now waits for its answer.
            try await eventually(#"h.provider.messages(key: key).count == 1"#) { h.provider.messages(key: key).count == 1 }
            killed.cancel()
            _ = await killed.result
            #expect(try await h.depth(.critical).active == 1)

            try h.provider.set(latencyMs: 0)
            try await h.running([h.worker(visibilityTimeout: .milliseconds(500))]) { () async throws in
                try await eventually(#"try await h.services.redis.xlen(h.keys.completed(.critical)) == 1"#) {
                    try await h.services.redis.xlen(h.keys.completed(.critical)) == 1
                }
            }
            let delivered = h.provider.messages(key: key)
            #expect(delivered.count == 2)
            #expect(Set(delivered.map(\.idempotencyKey)) == [key])
            #expect(delivered.map(\.duplicate) == [false, true])
            #expect(try await h.depth(.critical) == .init(waiting: 0, active: 0, delayed: 0, dead: 0))
            // The killed worker abandoned it (no provider failure counted); the next one reclaimed it.
            #expect(h.counter(.critical, "abandoned") == 1)
            #expect(h.counter(.critical, "reclaimed") == 1)
            #expect(h.counter(.critical, "completed") == 1)
        }
    }

    @Test func gracefulShutdownFinishesJobsInFlight() async throws {
        try await QueueHarness.with(latencyMs: 600) { h in
            let key = try await h.issueCode(phone: TestExchange.randomPhone())
            #expect(try await h.dispatcher().dispatchOnce() == 1)
            try await h.running([h.worker()]) { () async throws in
                try await eventually(#"h.provider.messages(key: key).count == 1"#) { h.provider.messages(key: key).count == 1 }
            }
            // Shutdown waited for the answer and acknowledged the job: nothing left to reclaim.
            #expect(try await h.services.redis.xlen(h.keys.completed(.critical)) == 1)
            #expect(try await h.depth(.critical) == .init(waiting: 0, active: 0, delayed: 0, dead: 0))
            #expect(h.provider.messages(key: key).count == 1)
        }
    }

    @Test func outboxHoldsJobsWhileRedisIsDownAndDrainsAfter() async throws {
        try await QueueHarness.with { h in
            let redis = SwitchableRedis(working: h.services.redis)
            let user = try await h.newUser()
            try await h.running([h.dispatcher(redis: redis), h.mover, h.worker()]) {
                var keys: [String] = []
                for _ in 0..<20 { keys.append(try await h.createRequest(userID: user).key) }
                for _ in 0..<5 { keys.append(try await h.issueCode(phone: TestExchange.randomPhone())) }
                // The dispatcher has tried again since every row was committed, and was refused.
                let refusedBefore = redis.refused
                try await eventually("a refused dispatch after the commits") { redis.refused > refusedBefore }
                let pending = try await h.services.database.primary.query(
                    PostgresQuery(
                        "queue_test_pending",
                        "SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL AND idempotency_key = ANY($1::text[])"
                    ),
                    ["{" + keys.map { "\"\($0)\"" }.joined(separator: ",") + "}"]
                )
                #expect(try pending.first?.decode("n", as: Int.self) == keys.count)
                #expect(try await h.services.redis.xlen(h.keys.stream(.analytics)) == 0)
                #expect(redis.refused > 0)
                await h.sampler.sampleOnce()
                #expect((MetricText.value(h.services.metrics.registry.render(), "outbox_pending") ?? 0) >= Double(keys.count))

                redis.restore()
                let committed = keys
                try await eventually("every held job delivered", timeout: .seconds(15)) {
                    committed.allSatisfy { !h.provider.messages(key: $0).isEmpty }
                }
                // A worker can deliver a job before the dispatcher has marked its row dispatched
                // (XADD first, then the UPDATE): the gauge reaches 0 once the marks commit.
                try await eventually("outbox_pending back to 0") {
                    await h.sampler.sampleOnce()
                    return MetricText.value(h.services.metrics.registry.render(), "outbox_pending") == 0
                }
            }
        }
    }

    @Test func syncCreateWaitsForTheProviderAndQueuedDoesNot() async throws {
        try await QueueTestEnvironment.prepared.value
        try await QueueTestEnvironment.exclusively { try await syncVersusQueued() }
    }

    private func syncVersusQueued() async throws {
        try await TestProvider.with(latencyMs: 300) { provider in
            for mode in [ServerConfiguration.SideEffectMode.sync, .queued] {
                let times = try await TestExchange.with({ configuration in
                    configuration.db.primary.url = QueueTestEnvironment.databaseURL
                    configuration.redis.url = QueueTestEnvironment.redisURL
                    configuration.sideEffects.mode = mode
                    configuration.provider.url = provider.url
                    configuration.provider.timeoutMs = 5000
                    // Queued jobs must reach the provider: run an in-process worker here.
                    configuration.workers.count = 1
                }) { exchange in
                    try await exchange.services.database.primary.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
                    let user = try await exchange.signIn()
                    var times: [Duration] = []
                    for _ in 0..<5 {
                        let start = ContinuousClock.now
                        let id = try await exchange.createRequest(user)
                        times.append(ContinuousClock.now - start)
                        if mode == .sync {
                            // Called inline, before the response.
                            #expect(provider.messages(matching: MessageFilter(kind: .events, requestId: id)).count == 1)
                        } else {
                            let key = try await exchange.services.database.primary.query(
                                PostgresQuery(
                                    "queue_test_event_key",
                                    "SELECT idempotency_key FROM outbox WHERE request_id = $1::uuid AND kind = 'events'"
                                ),
                                [id]
                            ).first?.decode("idempotency_key", as: String.self)
                            let jobID = try #require(key)
                            try await eventually(#"provider.messages(key: jobID).count == 1"#) { provider.messages(key: jobID).count == 1 }
                        }
                    }
                    return times.sorted()
                }
                if mode == .sync {
                    #expect(times.allSatisfy { $0 >= .milliseconds(300) }, "sync create times \(times)")
                } else {
                    #expect(times[times.count / 2] < .milliseconds(150), "queued create times \(times)")
                }
            }
        }
    }
}

/// A Redis that refuses every command (as an unreachable one does) until `restore()`.
final class SwitchableRedis: RedisCommandExecutor, Sendable {
    private let working: any RedisCommandExecutor
    private let unreachable = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
    private let state = Mutex((down: true, refused: 0))

    init(working: any RedisCommandExecutor) {
        self.working = working
    }

    var refused: Int { state.withLock { $0.refused } }

    func restore() {
        state.withLock { $0.down = false }
    }

    func execute(_ command: RedisCommand) async throws -> RedisValue {
        if state.withLock({ $0.down }) {
            state.withLock { $0.refused += 1 }
            return try await unreachable.execute(command)
        }
        return try await working.execute(command)
    }
}
