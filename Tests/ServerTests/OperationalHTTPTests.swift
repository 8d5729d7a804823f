import Foundation
import Testing

/// `/health`, `/ready`, `/metrics`, `/openapi.yaml`.
@Suite struct OperationalHTTPTests {
    @Test func readyReportsEachDependency() async throws {
        try await TestExchange.with { exchange in
            let ready = try await exchange.call(.GET, "/ready")
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "ok")
            #expect(ready.json["checks"] as? [String: String] == ["postgres": "ok", "replica": "ok", "redis": "ok"])
        }
        try await TestExchange.with({ $0.redis.url = "redis://127.0.0.1:1" }) { exchange in
            let ready = try await exchange.call(.GET, "/ready")
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "degraded")
        }
        try await TestExchange.with({ $0.db.primary.url = "postgresql://postgres@127.0.0.1:1/exchange" }) { exchange in
            let ready = try await exchange.call(.GET, "/ready")
            #expect(ready.status == 503)
            #expect(ready.json["status"] as? String == "unavailable")
            #expect(try await exchange.call(.GET, "/health").status == 200)
        }
    }

    @Test func metricsUseRouteTemplatesAndPassPromtool() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let id = try await exchange.createRequest(user)
            try await exchange.call(.GET, "/api/requests/\(id)", token: user.token)
            let metrics = try await exchange.call(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"route="/api/requests/:id""#))
            #expect(!text.contains(id), "raw ids never become label values")
            #expect(text.contains(#"db_pool_acquire_duration_seconds_count{pool="primary"}"#))
            #expect(text.contains("exchange_transitions_total{from=\"created\",to=\"pending\"}"))
            #expect(text.contains("process_heap_allocated_bytes "))
            for name in [
                "db_pool_connections", "db_pool_pending_requests", "db_query_duration_seconds", "redis_command_duration_seconds",
                "queue_depth", "queue_jobs_total", "outbox_pending", "ws_connections", "ws_delivery_lag_seconds",
            ] {
                #expect(text.contains("# TYPE \(name) "), "\(name)")
            }
            guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) else {
                Issue.record("promtool is not installed (scripts/test installs Debian's prometheus package)")
                return
            }
            let result = try runTool(promtool, ["check", "metrics"], stdin: text)
            #expect(result.status == 0, "promtool: \(result.output)")
        }
    }

    @Test func servesTheOpenAPIDocument() async throws {
        try await TestExchange.with { exchange in
            let reply = try await exchange.call(.GET, "/openapi.yaml")
            #expect(reply.status == 200)
            #expect(reply.text.hasPrefix("openapi: 3"))
            #expect(reply.text.contains("/api/requests/{id}/claim"))
        }
    }
}

/// Runs a short-lived tool (not a daemon) and collects its output.
func runTool(_ path: String, _ arguments: [String], stdin: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
