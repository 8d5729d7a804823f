import HummingbirdTesting
import ProviderSimulator
import Testing

@Suite("Failures and latency")
struct FailureAndLatencyTests {
    @Test func errorRateOneAlwaysFailsWith503() async throws {
        let app = try makeSimulator { $0.errorRate = 1 }.makeApplication()
        try await app.test(.router) { client in
            for index in 0..<50 {
                let reply = try await client.postSMS(key: "k\(index)")
                #expect(reply.status == .serviceUnavailable)
                #expect(reply.body["error"]?["code"]?.string == "unavailable")
            }
            try await client.send(.post, "/events", json: #"{"idempotencyKey":"e"}"#)
            #expect(try await client.send(.get, "/messages").body.items.isEmpty)
            let stats = try await client.send(.get, "/stats").body
            #expect(stats["failed"]?["sms"]?.int == 50)
            #expect(stats["failed"]?["events"]?.int == 1)
            #expect(stats["received"]?["sms"]?.int == 0)
        }
    }

    @Test func errorRateZeroNeverFails() async throws {
        let app = try makeSimulator { $0.errorRate = 0 }.makeApplication()
        try await app.test(.router) { client in
            for index in 0..<300 {
                let reply = try await client.postSMS(key: "k\(index)")
                #expect(reply.status == .ok)
            }
            let stats = try await client.send(.get, "/stats").body
            #expect(stats["failed"]?["sms"]?.int == 0)
            #expect(stats["received"]?["sms"]?.int == 300)
        }
    }

    @Test func partialErrorRateFailsAboutThatShare() async throws {
        let app = try makeSimulator(seed: 11) { $0.errorRate = 0.3 }.makeApplication()
        try await app.test(.router) { client in
            var failures = 0
            for index in 0..<1000 where try await client.postSMS(key: "k\(index)").status == .serviceUnavailable {
                failures += 1
            }
            #expect((230...370).contains(failures), "\(failures) failures of 1000")
            // A failed attempt's retry with the same key is accepted as new.
            let stats = try await client.send(.get, "/stats").body
            #expect(stats["received"]?["sms"]?.int == 1000 - failures)
            #expect(stats["duplicates"]?.int == 0)
        }
    }

    @Test func errorRateChangedAtRunTime() async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            #expect(try await client.postSMS(key: "a").status == .ok)
            try await client.send(.put, "/config", json: #"{"errorRate": 1}"#)
            #expect(try await client.postSMS(key: "b").status == .serviceUnavailable)
            try await client.send(.put, "/config", json: #"{"errorRate": 0}"#)
            #expect(try await client.postSMS(key: "b").status == .ok)
        }
    }

    @Test func fixedLatencyIsRespected() async throws {
        let app = try makeSimulator { $0.latencyMs = 200 }.makeApplication()
        try await app.test(.router) { client in
            let (reply, elapsed) = try await measure { try await client.postSMS(key: "slow") }
            #expect(reply.status == .ok)
            #expect(elapsed >= .milliseconds(200))
            #expect(elapsed < .seconds(10))
        }
    }

    @Test func failuresWaitTheLatencyToo() async throws {
        let app = try makeSimulator {
            $0.latencyMs = 150
            $0.errorRate = 1
        }.makeApplication()
        try await app.test(.router) { client in
            let (reply, elapsed) = try await measure { try await client.postSMS(key: "slow") }
            #expect(reply.status == .serviceUnavailable)
            #expect(elapsed >= .milliseconds(150))
        }
    }

    @Test func latencyChangedAtRunTime() async throws {
        let app = try makeSimulator { $0.latencyMs = 0 }.makeApplication()
        try await app.test(.router) { client in
            try await client.send(.put, "/config", json: #"{"latencyMs": 120}"#)
            let (_, elapsed) = try await measure { try await client.postSMS(key: "a") }
            #expect(elapsed >= .milliseconds(120))
        }
    }

    /// Sleeping must not hold a thread: 1,000 requests at 300 ms, all at once, finish in about 300 ms,
    /// not 300 s (or 150 s on two threads).
    @Test func thousandsInFlightDoNotQueue() async throws {
        let simulator = try makeSimulator { $0.latencyMs = 300 }
        try await simulator.makeApplication().test(.router) { client in
            let (statuses, elapsed) = try await measure {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<1000 {
                        group.addTask { try await client.postSMS(key: "k\(index)").status.code }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            #expect(statuses.count == 1000)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(elapsed >= .milliseconds(300))
            // Generous for a loaded 2-core CI machine; a blocking sleep would take 150 s or more.
            #expect(elapsed < .seconds(10), "took \(elapsed)")
        }
        #expect(simulator.provider.stats.received.sms == 1000)
        #expect(simulator.provider.stats.inFlight == 0)
    }
}
