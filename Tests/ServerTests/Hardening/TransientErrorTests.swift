import Foundation
import Logging
import PostgresClient
import RedisClient
import Synchronization
import Testing

@testable import Server

/// Issue 12 items 7 and 13: transient database and Redis failures are 503 with `Retry-After`,
/// logs carry SQLSTATE and statement name but never the server's message, a cancelled replica
/// query falls back to the primary, and a replica that is not streaming has no known lag.
@Suite struct TransientErrorTests {
    /// Keeps every log line (message and metadata) for inspection.
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])

        var logger: Logger {
            Logger(label: "capture") { _ in CaptureHandler(capture: self) }
        }
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.lines.withLock { $0.append("\(event.message) \(all)") }
        }
    }

    @Test(arguments: ["57014", "40P01", "40001", "53300"])
    func transientSQLStatesAreRetryLater(state: String) {
        let capture = Capture()
        let error = PostgresError.server(sqlState: state, serverMessage: "canceling statement: phone +15551234567", statement: "request_transition")
        let api = ErrorMiddleware.apiError(for: error, logger: capture.logger)
        #expect(api.status == 503)
        #expect(api.code == "unavailable")
        #expect(api.retryAfterSeconds == 1)
        let lines = capture.lines.withLock { $0 }
        #expect(lines.contains { $0.contains(state) && $0.contains("request_transition") })
        #expect(!lines.contains { $0.contains("+15551234567") })
    }

    @Test func otherDatabaseErrorsLogNoRowValues() {
        let capture = Capture()
        let error = PostgresError.server(sqlState: "23505", serverMessage: "Key (phone)=(+15551234567) already exists.", statement: "user_insert")
        let api = ErrorMiddleware.apiError(for: error, logger: capture.logger)
        #expect(api.status == 500)
        let lines = capture.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("23505") && $0.contains("user_insert") })
        #expect(!lines.contains { $0.contains("+15551234567") })
    }

    @Test func redisErrorsAreRetryLater() {
        for error in [RedisError.connectionFailed("refused"), .timeout, .commandFailed("OOM command not allowed"), .closed] {
            let api = ErrorMiddleware.apiError(for: error, logger: Logger(label: "test"))
            #expect(api.status == 503, "\(error)")
            #expect(api.retryAfterSeconds == 1)
        }
    }

    @Test func aStatementTimeoutThroughHTTPIs503WithRetryAfter() async throws {
        // A claim that waits on a row lock held elsewhere hits the 300 ms statement timeout (57014).
        try await TestExchange.with({ $0.db.pool.statementTimeoutMs = 300 }) { exchange in
            let op = try await exchange.signIn(operator: true)
            let user = try await exchange.signIn()
            let id = try await exchange.createRequest(user)
            let holder = PostgresPool(
                configuration: PostgresConfiguration(url: exchange.services.configuration.db.primary.url, name: "t-holder", poolSize: 1)
            )
            defer { holder.close() }
            try await holder.withConnection { connection in
                try await connection.execute("BEGIN")
                try await connection.execute("SELECT 1 FROM requests WHERE id = '\(id)' FOR UPDATE")
                let reply = try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                try await connection.execute("ROLLBACK")
                #expect(reply.status == 503, "\(reply.text)")
                #expect(reply.errorCode == "unavailable")
                #expect(reply.header("Retry-After") == "1")
            }
        }
    }

    @Test func aCancelledReplicaQueryFallsBackToThePrimary() async throws {
        try await TestExchange.with({
            $0.db.routing.analytics = .replica
            $0.db.routing.maxReplicaLagMs = 3_600_000
        }) { exchange in
            let database = exchange.services.database
            await database.measureReplicaLag()
            #expect(database.analyticsTarget().0 == .replica)
            let (answer, source) = try await database.analytics { pool -> String in
                if pool === database.replica {
                    throw PostgresError.server(sqlState: "40001", serverMessage: "conflict with recovery", statement: "stats_window")
                }
                return "primary answered"
            }
            #expect(answer == "primary answered")
            #expect(source == .primary)
            #expect(database.analyticsTarget().0 == .replica, "a cancelled query keeps the replica in rotation")
        }
    }

    @Test func aServerThatIsNotAStreamingStandbyHasNoKnownLag() async throws {
        // Point the "replica" at the primary: no WAL receiver, not in recovery.
        try await TestExchange.with({
            $0.db.routing.analytics = .replica
            $0.db.replica.url = $0.db.primary.url
            $0.db.routing.maxReplicaLagMs = 3_600_000
        }) { exchange in
            let database = exchange.services.database
            await database.measureReplicaLag()
            let (target, reason) = database.analyticsTarget()
            #expect(target == .primary)
            #expect(reason == "replica_not_standby")
            let metrics = exchange.services.metrics.registry.render()
            #expect(MetricText.value(metrics, "db_replica_streaming") == 0)
            #expect(MetricText.value(metrics, "db_replica_lag_seconds")?.isNaN == true)
        }
        // The real replica streams.
        try await TestExchange.with({
            $0.db.routing.analytics = .replica
            $0.db.routing.maxReplicaLagMs = 3_600_000
        }) { exchange in
            await exchange.services.database.measureReplicaLag()
            #expect(exchange.services.database.analyticsTarget() == (.replica, "ok"))
        }
    }

    @Test func lagReadingRules() {
        #expect(ReplicaLagReading(inRecovery: true, receiverStatus: "streaming", lagMicros: 1500).lag == .microseconds(1500))
        #expect(ReplicaLagReading(inRecovery: true, receiverStatus: nil, lagMicros: 0).lag == nil)
        #expect(ReplicaLagReading(inRecovery: true, receiverStatus: "stopping", lagMicros: 0).unknownReason == "replica_not_streaming")
        #expect(ReplicaLagReading(inRecovery: false, receiverStatus: nil, lagMicros: 0).lag == nil)
        #expect(ReplicaLagReading.unreachable.unknownReason == "replica_down")
    }
}
