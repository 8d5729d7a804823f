import Foundation
import Hummingbird
import HummingbirdTesting
import ProviderSimulator
import Synchronization
import Testing

@Suite("Live server")
struct LiveServerTests {
    @Test func reportsTheBoundPortAndAnswersOverTheSocket() async throws {
        let reported = Mutex<Int?>(nil)
        let app = try makeSimulator { $0.latencyMs = 50 }.makeApplication { port in
            reported.withLock { $0 = port }
        }
        try await app.test(.live) { client in
            let reply = try await client.postSMS(key: "live-1")
            #expect(reply.status == .ok)
            #expect(reply.body["duplicate"]?.bool == false)
            let port = try #require(reported.withLock { $0 })
            #expect(port > 0)
            #expect(port == client.port)
        }
    }

    /// Many connections, each with one request in flight at the same time.
    @Test func concurrentConnectionsAreServedInParallel() async throws {
        let simulator = try makeSimulator { $0.latencyMs = 300 }
        try await simulator.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let (statuses, elapsed) = try await measure {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                                let body = #"{"to":"+1555000\#(index)","body":"code 123456","idempotencyKey":"c\#(index)"}"#
                                return try await connection.post("/sms", body: ByteBuffer(string: body)).status.code
                            }
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            // Serially this would take 60 s.
            #expect(elapsed < .seconds(10), "took \(elapsed)")
        }
        #expect(simulator.provider.stats.received.sms == 200)
    }

    @Test func runEndsWhenItsTaskIsCancelled() async throws {
        let simulator = try makeSimulator()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await simulator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let status = try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
            try await connection.get("/health").status
        }
        #expect(status == .ok)
        server.cancel()
        _ = await server.result
    }
}
