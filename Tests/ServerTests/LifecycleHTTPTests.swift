import Foundation
import Server
import Testing

/// The request lifecycle through real HTTP, PostgreSQL and Redis.
@Suite struct LifecycleHTTPTests {
    @Test func walksOneRequestToCompleted() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let created = try await exchange.call(
                .POST,
                "/api/requests",
                body: #"{"fiatCurrency":"EUR","fiatAmount":"100","cryptoCurrency":"ETH"}"#,
                token: user.token
            )
            #expect(created.status == 201)
            #expect(created.json["status"] as? String == "pending")
            #expect(created.json["fiatAmount"] as? String == "100.00")
            #expect(created.json["lastSeq"] as? Int == 1)
            #expect(created.json["assignedOperator"] is NSNull)
            let id = try #require(created.json["id"] as? String)

            for (action, status) in [("claim", "assigned"), ("start", "processing"), ("complete", "completed")] {
                let reply = try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token)
                #expect(reply.status == 200, "\(action): \(reply.text)")
                #expect(reply.json["status"] as? String == status)
            }
            let final = try await exchange.call(.GET, "/api/requests/\(id)", token: user.token)
            #expect(final.json["assignedOperator"] as? String == op.userID)
            #expect(final.json["completedAt"] is String)
            #expect(final.json["processingStartedAt"] is String)

            let sync = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=0", token: user.token)
            let events = try #require(sync.json["missedEvents"] as? [[String: Any]])
            #expect(events.map { $0["seq"] as? Int } == [1, 2, 3, 4])
            #expect(events.map { $0["event"] as? String } == ["status:pending", "status:assigned", "status:processing", "status:completed"])
            #expect(events.first?["fromStatus"] as? String == "created")
            #expect(events[1]["actorId"] as? String == op.userID)
            #expect(events[1]["actorRole"] as? String == "operator")
            #expect(sync.json["lastSeq"] as? Int == 4)
        }
    }

    @Test func syncReturnsExactlyTheMissedEvents() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
            try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token)
            try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
            let sync = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=2", token: user.token)
            let events = try #require(sync.json["missedEvents"] as? [[String: Any]])
            #expect(events.map { $0["seq"] as? Int } == [3, 4])
            #expect(events.map { $0["toStatus"] as? String } == ["pending", "assigned"])
            #expect(sync.json["lastSeq"] as? Int == 4)
            let none = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=4", token: user.token)
            #expect((none.json["missedEvents"] as? [Any])?.isEmpty == true)
            let bad = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=-1", token: user.token)
            #expect(bad.status == 422)
            #expect(bad.errorDetails["afterSeq"] != nil)
        }
    }

    @Test func failNeedsAReasonAndRecordsIt() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
            // 409 outranks 422: failing an `assigned` request with a bad body is a state error.
            let early = try await exchange.call(.POST, "/api/requests/\(id)/fail", body: #"{"reason":""}"#, token: op.token)
            #expect(early.status == 409)
            try await exchange.call(.POST, "/api/requests/\(id)/start", token: op.token)
            let empty = try await exchange.call(.POST, "/api/requests/\(id)/fail", body: #"{"reason":""}"#, token: op.token)
            #expect(empty.status == 422)
            #expect(empty.errorDetails["reason"] != nil)
            let long = try await exchange.call(
                .POST,
                "/api/requests/\(id)/fail",
                body: "{\"reason\":\"\(String(repeating: "x", count: 501))\"}",
                token: op.token
            )
            #expect(long.status == 422)
            let failed = try await exchange.call(.POST, "/api/requests/\(id)/fail", body: #"{"reason":"bank rejected"}"#, token: op.token)
            #expect(failed.status == 200)
            #expect(failed.json["status"] as? String == "failed")
            let sync = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=3", token: op.token)
            let event = try #require((sync.json["missedEvents"] as? [[String: Any]])?.first)
            #expect((event["data"] as? [String: Any])?["reason"] as? String == "bank rejected")
        }
    }

    @Test func claimRaceHasExactlyOneWinnerPerRequest() async throws {
        try await TestExchange.with({
            $0.rateLimit.perUserPerMinute = 1000
            $0.db.primary.poolSize = 8
        }) { exchange in
            let user = try await exchange.signIn()
            var operators: [TestExchange.Session] = []
            for _ in 0..<16 { operators.append(try await exchange.signIn(operator: true)) }
            let ops = operators
            for _ in 0..<30 {
                let id = try await exchange.createRequest(user)
                let replies = try await withThrowingTaskGroup(of: TestExchange.Reply.self) { group in
                    for op in ops { group.addTask { try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token) } }
                    var all: [TestExchange.Reply] = []
                    for try await reply in group { all.append(reply) }
                    return all
                }
                #expect(replies.filter { $0.status == 200 }.count == 1)
                #expect(replies.filter { $0.status == 409 && $0.errorCode == "already_claimed" }.count == 15)
                let sync = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=0", token: user.token)
                let assigned = (sync.json["missedEvents"] as? [[String: Any]] ?? []).filter { $0["event"] as? String == "status:assigned" }
                #expect(assigned.count == 1)
            }
        }
    }

    @Test func listingPagesNewestFirstAndScopesUsers() async throws {
        try await TestExchange.with({ $0.rateLimit.perUserPerMinute = 1000 }) { exchange in
            let user = try await exchange.signIn()
            let other = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await exchange.createRequest(user)) }
            _ = try await exchange.createRequest(other)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/requests?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await exchange.call(.GET, path, token: user.token)
                #expect(page.status == 200)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            try await exchange.call(.POST, "/api/requests/\(ids[0])/claim", token: op.token)
            let assigned = try await exchange.call(.GET, "/api/requests?status=assigned&limit=200", token: op.token)
            let assignedIDs = (assigned.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(assignedIDs.contains(ids[0]))
            #expect(!assignedIDs.contains(ids[1]))
            for bad in ["limit=0", "limit=201", "limit=x", "status=created", "status=nope", "cursor=garbage"] {
                let reply = try await exchange.call(.GET, "/api/requests?\(bad)", token: op.token)
                #expect(reply.status == 422, "\(bad)")
            }
        }
    }
}
