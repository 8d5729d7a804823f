import Foundation
import PostgresClient
import TestSupport
import Testing

@testable import Server

/// `GET /api/stats`: the aggregate, replica routing, and the fallback to the primary.
@Suite struct StatsRoutingHTTPTests {
    /// Rows are planted in a random past minute that no other test touches, so the
    /// aggregate's exact values can be checked while other suites write concurrently.
    static let plant = PostgresQuery(
        "t_stats_plant",
        """
        INSERT INTO requests (user_id, status, fiat_currency, fiat_amount, crypto_currency, created_at,
                              processing_started_at, completed_at, last_seq)
        VALUES ($1::uuid, $2, $3, $4::numeric, 'BTC', $5::timestamptz,
                $5::timestamptz + make_interval(secs => 1), $5::timestamptz + make_interval(secs => 1) + make_interval(secs => $6::float8 / 1000), 0)
        """
    )

    @Test func aggregatesAWindowOnTheReplica() async throws {
        try await TestExchange.with({
            $0.db.routing.analytics = .replica
            $0.db.routing.lagCheckIntervalMs = 100
        }) { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let minute = Date(timeIntervalSince1970: Double(Int.random(in: 500_000...20_000_000)) * 60)
            let at = ISO8601.string(minute.addingTimeInterval(10))
            let rows: [(String, String, String, Int)] = [
                ("completed", "GBP", "10.25", 1000), ("completed", "GBP", "20.50", 3000), ("completed", "USD", "5.00", 2000),
                ("pending", "GBP", "7.00", 0), ("failed", "EUR", "1.00", 0),
            ]
            for (status, fiat, amount, processingMs) in rows {
                _ = try await exchange.services.database.primary.query(Self.plant, [user.userID, status, fiat, amount, at, processingMs])
            }
            let window = "from=\(ISO8601.string(minute))&to=\(ISO8601.string(minute.addingTimeInterval(60)))"
            // The replica catches up asynchronously.
            let stats = try await eventually("the replica's stats to count the 5 planted rows", timeout: .seconds(15), every: .milliseconds(100)) {
                let stats = try await exchange.call(.GET, "/api/stats?\(window)", token: op.token).json
                return stats["total"] as? Int == 5 ? stats : nil
            }
            #expect(stats["source"] as? String == "replica")
            #expect(stats["total"] as? Int == 5)
            #expect(stats["completed"] as? Int == 3)
            #expect(stats["volume"] as? [String: String] == ["GBP": "30.75", "USD": "5.00"])
            #expect(stats["avgProcessingMs"] as? Double == 2000)
            // `to` is exclusive: the minute before holds nothing.
            let before = "from=\(ISO8601.string(minute.addingTimeInterval(-60)))&to=\(ISO8601.string(minute))"
            let empty = try await exchange.call(.GET, "/api/stats?\(before)", token: op.token).json
            #expect(empty["total"] as? Int == 0)
            #expect(empty["avgProcessingMs"] is NSNull)
        }
    }

    @Test func fallsBackToPrimaryWhenTheReplicaIsDown() async throws {
        try await TestExchange.with({
            $0.db.routing.analytics = .replica
            $0.db.replica.url = "postgresql://postgres@127.0.0.1:1/exchange"
        }) { exchange in
            let op = try await exchange.signIn(operator: true)
            let reply = try await exchange.call(.GET, "/api/stats", token: op.token)
            #expect(reply.status == 200)
            #expect(reply.json["source"] as? String == "primary")
            let ready = try await exchange.call(.GET, "/ready")
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "degraded")
            #expect((ready.json["checks"] as? [String: Any])?["replica"] as? String == "down")
            let metrics = exchange.services.metrics.registry.render()
            #expect(
                metrics.contains(#"db_routing_decisions_total{target="primary",reason="replica_down"}"#)
                    || metrics.contains(#"db_routing_decisions_total{target="primary",reason="replica_error"}"#)
            )
        }
    }

    @Test func primaryRoutingIsTheDefault() async throws {
        try await TestExchange.with { exchange in
            let op = try await exchange.signIn(operator: true)
            let reply = try await exchange.call(.GET, "/api/stats", token: op.token)
            #expect(reply.json["source"] as? String == "primary")
            #expect(reply.json["avgProcessingMs"] != nil)
            #expect(reply.json["from"] is String && reply.json["to"] is String)
        }
    }
}
