import Foundation
import HummingbirdTesting
import ProviderSimulator
import Testing

@Suite("Message routes")
struct MessageRoutesTests {
    @Test func acceptsAndListsMessagesWithFilters() async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            let first = try await client.postSMS(to: "+15550000001", body: "Your code is 111111", key: "k1", requestId: "r1")
            #expect(first.status == .ok)
            #expect(first.body["duplicate"]?.bool == false)
            #expect(first.body["id"]?.string?.isEmpty == false)
            try await client.postSMS(to: "+15550000002", body: "Your code is 222222", key: "k2")
            try await client.send(
                .post,
                "/email",
                json: #"{"to":"user-7","subject":"Claimed","body":"Your request was claimed","idempotencyKey":"k3","requestId":"r1"}"#
            )
            try await client.send(.post, "/webhook", json: #"{"idempotencyKey":"k4","requestId":"r1","event":"status:completed"}"#)

            let all = try await client.send(.get, "/messages")
            #expect(all.status == .ok)
            #expect(all.body.items.compactMap { $0["idempotencyKey"]?.string } == ["k1", "k2", "k3", "k4"])
            #expect(all.body.items.compactMap { $0["kind"]?.string } == ["sms", "sms", "email", "webhook"])

            let sms = try await client.send(.get, "/messages?kind=sms&to=%2B15550000002")
            #expect(sms.body.items.count == 1)
            let item = try #require(sms.body.items.first)
            #expect(item["to"]?.string == "+15550000002")
            #expect(item["body"]?.string == "Your code is 222222")
            #expect(item["requestId"] == .null)
            #expect(item["receivedAt"]?.string.flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) } != nil)

            // A raw "+" works too (it is not decoded as a space).
            #expect(try await client.send(.get, "/messages?to=+15550000001").body.items.count == 1)
            let byRequest = try await client.send(.get, "/messages?requestId=r1")
            #expect(byRequest.body.items.compactMap { $0["kind"]?.string } == ["sms", "email", "webhook"])
            #expect(try await client.send(.get, "/messages?idempotencyKey=k3").body.items.first?["subject"]?.string == "Claimed")
            #expect(try await client.send(.get, "/messages?kind=webhook").body.items.first?["data"] == ["event": .string("status:completed")])
            // Empty parameters do not filter.
            #expect(try await client.send(.get, "/messages?kind=&to=&requestId=&idempotencyKey=&limit=").body.items.count == 4)
            #expect(try await client.send(.get, "/messages?limit=2").body.items.compactMap { $0["idempotencyKey"]?.string } == ["k3", "k4"])
        }
    }

    @Test func otpIsTheOnlySixDigitNumberOfTheLatestSMS() async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            try await client.postSMS(to: "+447700900123", body: "Exchange Lab code: 654321. Valid 5 minutes.", key: "otp-1")
            try await client.postSMS(to: "+447700900123", body: "Exchange Lab code: 013579. Valid 5 minutes.", key: "otp-2")
            let latest = try await client.send(.get, "/messages?kind=sms&to=%2B447700900123&limit=1")
            let body = try #require(latest.body.items.first?["body"]?.string)
            let codes = body.split(whereSeparator: { !$0.isNumber }).filter { $0.count == 6 }.map(String.init)
            #expect(codes == ["013579"])
        }
    }

    @Test func duplicatesAreCountedByIdempotencyKey() async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            let first = try await client.postSMS(key: "job-1")
            let second = try await client.postSMS(key: "job-1")
            try await client.postSMS(key: "job-1")
            try await client.postSMS(key: "job-2")
            try await client.send(.post, "/events", json: #"{"idempotencyKey":"job-1"}"#)
            #expect(second.body["duplicate"]?.bool == true)
            #expect(second.body["id"] == first.body["id"])

            let stats = try await client.send(.get, "/stats").body
            #expect(stats["duplicates"]?.int == 2)
            #expect(stats["uniqueKeys"]?.int == 3)
            #expect(stats["received"]?["sms"]?.int == 4)
            #expect(stats["received"]?["events"]?.int == 1)
            #expect(stats["received"]?["email"]?.int == 0)
            let listed = try await client.send(.get, "/messages?kind=sms&idempotencyKey=job-1").body.items
            #expect(listed.compactMap { $0["duplicate"]?.bool } == [false, true, true])
        }
    }

    @Test(arguments: [
        ("/sms", #"{"to":"+15550000001","body":"x"}"#),
        ("/sms", #"{"to":"+15550000001","body":"x","idempotencyKey":""}"#),
        ("/sms", #"{"body":"x","idempotencyKey":"k"}"#),
        ("/email", #"{"to":"u","idempotencyKey":"k"}"#),
        ("/webhook", #"{"requestId":"r"}"#),
        ("/events", #"{"idempotencyKey": 5}"#),
        ("/events", #"{"idempotencyKey":"k""#),
        ("/events", #"["idempotencyKey"]"#),
        ("/sms", ""),
    ])
    func invalidBodiesAre400(path: String, body: String) async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            let reply = try await client.send(.post, path, json: body)
            #expect(reply.status == .badRequest)
            #expect(reply.body["error"]?["code"]?.string == "bad_request")
            #expect(try await client.send(.get, "/messages").body.items.isEmpty)
            #expect(try await client.send(.get, "/stats").body["invalid"]?.int == 1)
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        let app = try makeSimulator { $0.maxBodyBytes = 64 }.makeApplication()
        try await app.test(.router) { client in
            let body = #"{"idempotencyKey":"k","padding":"\#(String(repeating: "x", count: 100))"}"#
            let reply = try await client.send(.post, "/events", json: body)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.body["error"]?["code"]?.string == "payload_too_large")
        }
    }

    @Test func invalidQueriesAre422() async throws {
        let app = try makeSimulator().makeApplication()
        try await app.test(.router) { client in
            let reply = try await client.send(.get, "/messages?kind=fax&limit=-3")
            #expect(reply.status == .unprocessableContent)
            #expect(reply.body["error"]?["code"]?.string == "validation_failed")
            #expect(reply.body["error"]?["details"]?["kind"] != nil)
            #expect(reply.body["error"]?["details"]?["limit"] != nil)
            #expect(try await client.send(.get, "/messages?limit=abc").status == .unprocessableContent)
        }
    }

    @Test func capDropsTheOldestMessages() async throws {
        let app = try makeSimulator { $0.maxMessages = 3 }.makeApplication()
        try await app.test(.router) { client in
            for index in 1...5 { try await client.postSMS(key: "k\(index)") }
            let keys = try await client.send(.get, "/messages").body.items.compactMap { $0["idempotencyKey"]?.string }
            #expect(keys == ["k3", "k4", "k5"])
            let stats = try await client.send(.get, "/stats").body
            #expect(stats["stored"]?.int == 3)
            #expect(stats["dropped"]?.int == 2)
            #expect(stats["received"]?["sms"]?.int == 5)
        }
    }

    @Test func deleteClearsMessagesAndCounters() async throws {
        let simulator = try makeSimulator()
        try await simulator.makeApplication().test(.router) { client in
            try await client.postSMS(key: "a")
            try await client.postSMS(key: "a")
            let cleared = try await client.send(.delete, "/messages")
            #expect(cleared.status == .ok)
            #expect(cleared.body["cleared"]?.int == 2)
            #expect(try await client.send(.get, "/messages").body.items.isEmpty)
            #expect(try await client.send(.get, "/stats").body["duplicates"]?.int == 0)
            #expect(try await client.postSMS(key: "a").body["duplicate"]?.bool == false)
        }
        // The same state is readable in-process.
        #expect(simulator.provider.messages().count == 1)
        #expect(simulator.provider.stats.received.sms == 1)
    }

    @Test func healthIsOK() async throws {
        try await makeSimulator().makeApplication().test(.router) { client in
            let reply = try await client.send(.get, "/health")
            #expect(reply.status == .ok)
            #expect(reply.body["status"]?.string == "ok")
        }
    }
}
