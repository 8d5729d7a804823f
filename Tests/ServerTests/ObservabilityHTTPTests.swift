import AsyncHTTPClient
import Foundation
import Logging
import PostgresClient
import ServiceLifecycle
import TestSupport
import Testing

@testable import Server

/// The monitoring contract of a running server: readiness checked in the background on its own
/// connections, every catalogued family exported from start-up, pool timeouts counted.
@Suite struct ObservabilityHTTPTests {
    @Test func readinessIsExportedWithoutAnyoneCallingReady() async throws {
        try await TestExchange.with { exchange in
            try await eventually("every dependency's readiness check up, with a recent success") {
                let text = try await exchange.call(.GET, "/metrics").text
                return ["postgres", "replica", "redis"].allSatisfy { dependency in
                    MetricText.value(text, "exchange_ready_check", labels: ["dependency": dependency]) == 1
                        && (MetricText.value(text, "exchange_ready_check_last_success_timestamp_seconds", labels: ["dependency": dependency]) ?? 0)
                            > Date().timeIntervalSince1970 - 30
                }
            }
        }
        try await TestExchange.with({ $0.redis.url = "redis://127.0.0.1:1" }) { exchange in
            try await eventually("redis's readiness check down (never succeeded), postgres's up") {
                let text = try await exchange.call(.GET, "/metrics").text
                return MetricText.value(text, "exchange_ready_check", labels: ["dependency": "redis"]) == 0
                    && MetricText.value(text, "exchange_ready_check_last_success_timestamp_seconds", labels: ["dependency": "redis"]) == 0
                    && MetricText.value(text, "exchange_ready_check", labels: ["dependency": "postgres"]) == 1
            }
        }
    }

    @Test func readinessDoesNotBorrowAnExhaustedPool() async throws {
        try await TestExchange.with({
            $0.db.primary.poolSize = 1
            $0.db.pool.acquireTimeoutMs = 200
        }) { exchange in
            let pool = exchange.services.database.primary
            try await pool.withConnection { _ in
                // The only pooled connection is held: a check through the pool would time out
                // and read "primary down". Fresh checks on the readiness connections say ok.
                let checks = await exchange.services.readiness.check()
                #expect(checks.postgres)
                let ready = try await exchange.call(.GET, "/ready")
                #expect(ready.status == 200)
                #expect((ready.json["checks"] as? [String: String])?["postgres"] == "ok")
                // The pool meanwhile reports its exhaustion and its size.
                do {
                    _ = try await pool.acquire()
                    Issue.record("acquire should time out while the only connection is held")
                } catch let error as PostgresError {
                    #expect(error.isPoolTimeout)
                }
                let text = try await exchange.call(.GET, "/metrics").text
                #expect(
                    (MetricText.value(text, "db_pool_acquire_timeouts_total", labels: ["pool": "primary"]) ?? 0) >= 1,
                    "ours, and the background services' while the pool is held"
                )
                #expect(MetricText.value(text, "db_pool_max_connections", labels: ["pool": "primary"]) == 1)
                #expect(MetricText.value(text, "db_pool_connections", labels: ["pool": "primary", "state": "used"]) == 1)
                // The timed-out wait (~200 ms) is in the acquire histogram: above the 100 ms bucket.
                let fast = MetricText.value(text, "db_pool_acquire_duration_seconds_bucket", labels: ["pool": "primary", "le": "0.1"]) ?? -1
                let all = MetricText.value(text, "db_pool_acquire_duration_seconds_count", labels: ["pool": "primary"]) ?? -1
                #expect(all >= fast + 1)
            }
        }
    }

    @Test func everyCataloguedFamilyIsExportedFromStartUp() async throws {
        try await TestExchange.with { exchange in
            let text = try await exchange.call(.GET, "/metrics").text
            let types = Dictionary(
                text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { line -> (String, String) in
                    let parts = line.split(separator: " ")
                    return (String(parts[2]), String(parts[3]))
                },
                uniquingKeysWith: { first, _ in first }
            )
            for definition in MetricCatalogue.all {
                #expect(types[definition.name] == definition.kind.rawValue, "\(definition.name)")
            }
            #expect(Set(types.keys).subtracting(MetricCatalogue.all.map(\.name)).isEmpty, "every exported family is catalogued")
            // Zero-valued series for the known label sets, before any traffic of their own.
            #expect(MetricText.value(text, "queue_jobs_total", labels: ["queue": "critical", "outcome": "reclaimed"]) == 0)
            #expect(MetricText.value(text, "ws_upgrades_total", labels: ["result": "failed"]) == 0)
            #expect(MetricText.value(text, "side_effect_failures_total", labels: ["kind": "sms", "mode": "queued"]) == 0)
            #expect(MetricText.value(text, "build_info", labels: ["version": BuildInfo.version]) == 1)
            #expect((MetricText.value(text, "process_start_time_seconds") ?? 0) > 1_700_000_000)
            #expect((MetricText.value(text, "process_open_fds") ?? 0) > 0)
            #expect(text.contains(#"process_cpu_seconds_total "#))
            // The latency SLI's threshold is a bucket bound.
            #expect(text.contains(#"http_server_request_duration_seconds_bucket{method="GET",route="/health",status="200",le="0.25"}"#))
        }
    }

    @Test func webSocketUpgradesAreCounted() async throws {
        try await TestExchange.with { exchange in
            let port = try #require(Int(exchange.baseURL.split(separator: ":").last ?? ""))
            let refused = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws", headers: ["Authorization: Bearer nope"]))
            #expect(refused.status == 401)
            let text = try await exchange.call(.GET, "/metrics").text
            #expect(MetricText.value(text, "ws_upgrades_total", labels: ["result": "refused"]) == 1)
            #expect(MetricText.value(text, "ws_upgrades_total", labels: ["result": "failed"]) == 0)
        }
    }

    @Test func providerFailuresAreCountedPerKindAndMode() async throws {
        // The test server's provider is a dead port: in sync mode the SMS fails inline (503).
        try await TestExchange.with { exchange in
            let otp = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(TestExchange.randomPhone())"}"#)
            #expect(otp.status == 503)
            let text = try await exchange.call(.GET, "/metrics").text
            #expect(MetricText.value(text, "side_effect_failures_total", labels: ["kind": "sms", "mode": "sync"]) == 1)
            #expect(MetricText.value(text, "side_effect_failures_total", labels: ["kind": "sms", "mode": "queued"]) == 0)
        }
    }

    @Test func workerMetricsServerServesTheCatalogueOnItsOwnPort() async throws {
        var logger = Logger(label: "test-worker-metrics")
        logger.logLevel = .warning
        try await TestExchange.migrateOnce()
        let services = try ExchangeServices(configuration: TestExchange.configuration(), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = MetricsEndpoint.server(database: services.database, metrics: services.metrics, logger: logger, host: "127.0.0.1", port: 0) {
            continuation.yield($0)
        }
        let group = ServiceGroup(services: [server, ReadinessMonitor(readiness: services.readiness)], gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0, "port 0 binds a free port")
            try await eventually("/metrics with postgres ready and the queue families") {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(15))
                let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
                return response.status == .ok && MetricText.value(text, "exchange_ready_check", labels: ["dependency": "postgres"]) == 1
                    && text.contains("# TYPE queue_jobs_total counter")
            }
            let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(15))
            #expect(health.status == .ok)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await services.close()
    }
}
