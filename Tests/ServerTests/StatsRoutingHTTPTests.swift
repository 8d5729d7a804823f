import Foundation
import Testing

/// `GET /api/stats`: the aggregate, replica routing, and the fallback to the primary.
@Suite struct StatsRoutingHTTPTests {
    @Test func aggregatesAWindowOnTheReplica() async throws {
        try await TestExchange.with({ $0.db.routing.analytics = .replica; $0.db.routing.lagCheckIntervalMs = 100; $0.rateLimit.perUserPerMinute = 100 }) { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let from = Date().addingTimeInterval(-1)
            var ids: [String] = []
            for amount in ["10.25", "20.50", "5.00"] { ids.append(try await exchange.createRequest(user, amount: amount, fiat: "GBP")) }
            for id in ids.prefix(2) {
                for action in ["claim", "start", "complete"] { try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token) }
            }
            let to = Date().addingTimeInterval(1)
            let window = "from=\(ISO8601DateFormatter().string(from: from))&to=\(ISO8601DateFormatter().string(from: to))"
            // Only this test's user creates GBP requests in this window… but others may create
            // other currencies concurrently, so check the GBP volume exactly and totals loosely.
            var stats: [String: Any] = [:]
            for _ in 0..<50 {
                stats = try await exchange.call(.GET, "/api/stats?\(window)", token: op.token).json
                if (stats["volume"] as? [String: Any])?["GBP"] as? String == "30.75" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((stats["volume"] as? [String: Any])?["GBP"] as? String == "30.75")
            #expect(stats["source"] as? String == "replica")
            #expect((stats["total"] as? Int ?? 0) >= 3)
            #expect((stats["completed"] as? Int ?? 0) >= 2)
            #expect(stats["avgProcessingMs"] is Double)
        }
    }

    @Test func fallsBackToPrimaryWhenTheReplicaIsDown() async throws {
        try await TestExchange.with({ $0.db.routing.analytics = .replica; $0.db.replica.url = "postgresql://postgres@127.0.0.1:1/exchange" }) { exchange in
            let op = try await exchange.signIn(operator: true)
            let reply = try await exchange.call(.GET, "/api/stats", token: op.token)
            #expect(reply.status == 200)
            #expect(reply.json["source"] as? String == "primary")
            let ready = try await exchange.call(.GET, "/ready")
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "degraded")
            #expect((ready.json["checks"] as? [String: Any])?["replica"] as? String == "down")
            let metrics = exchange.services.metrics.registry.render()
            #expect(metrics.contains(#"db_routing_decisions_total{target="primary",reason="replica_down"}"#)
                || metrics.contains(#"db_routing_decisions_total{target="primary",reason="replica_error"}"#))
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
