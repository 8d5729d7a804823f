import Foundation
import Testing

/// Who may do what, and the order of the checks: 401 → 404 → 403 → 409 → 422.
@Suite struct AccessRulesHTTPTests {
    @Test func everyInvalidTransitionAndWrongActor() async throws {
        try await TestExchange.with { exchange in
            let owner = try await exchange.signIn()
            let stranger = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let otherOp = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(owner)

            func expect(_ action: String, by session: TestExchange.Session?, _ status: Int, _ code: String?, line: Int = #line) async throws {
                let body = action == "fail" ? #"{"reason":"x"}"# : nil
                let reply = try await exchange.call(.POST, "/api/requests/\(id)/\(action)", body: body, token: session?.token)
                #expect(reply.status == status, "\(action) line \(line): \(reply.text)")
                if let code { #expect(reply.errorCode == code, "\(action) line \(line)") }
            }

            // pending
            try await expect("claim", by: nil, 401, "unauthorized")
            try await expect("claim", by: owner, 403, "forbidden")
            try await expect("claim", by: stranger, 404, "not_found")
            try await expect("start", by: op, 409, "invalid_transition")
            try await expect("release", by: op, 409, "invalid_transition")
            try await expect("complete", by: op, 409, "invalid_transition")
            try await expect("fail", by: op, 409, "invalid_transition")
            try await expect("cancel", by: op, 403, "forbidden")
            try await expect("cancel", by: stranger, 404, "not_found")
            // assigned to op
            try await expect("claim", by: op, 200, nil)
            try await expect("claim", by: op, 409, "already_claimed")
            try await expect("claim", by: otherOp, 409, "already_claimed")
            try await expect("start", by: otherOp, 403, "forbidden")
            try await expect("release", by: otherOp, 403, "forbidden")
            try await expect("complete", by: op, 409, "invalid_transition")
            try await expect("cancel", by: owner, 409, "invalid_transition")
            // processing
            try await expect("start", by: op, 200, nil)
            try await expect("start", by: op, 409, "invalid_transition")
            try await expect("release", by: op, 409, "invalid_transition")
            try await expect("complete", by: otherOp, 403, "forbidden")
            try await expect("complete", by: op, 200, nil)
            // completed: terminal
            for action in ["claim", "start", "complete", "fail", "release"] {
                try await expect(action, by: op, 409, action == "claim" ? "already_claimed" : "invalid_transition")
            }
            let conflict = try await exchange.call(.POST, "/api/requests/\(id)/start", token: op.token)
            #expect(conflict.errorDetails["currentStatus"] as? String == "completed")
        }
    }

    @Test func ownerCancelsPendingAndNothingElse() async throws {
        try await TestExchange.with { exchange in
            let owner = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(owner)
            let cancelled = try await exchange.call(.POST, "/api/requests/\(id)/cancel", token: owner.token)
            #expect(cancelled.status == 200)
            #expect(cancelled.json["status"] as? String == "cancelled")
            let claim = try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
            #expect(claim.status == 409)
            #expect(claim.errorCode == "invalid_transition")
        }
    }

    @Test func usersCannotSeeOrTouchOthersRequests() async throws {
        try await TestExchange.with { exchange in
            let alice = try await exchange.signIn()
            let bob = try await exchange.signIn()
            let id = try await exchange.createRequest(alice)
            for (method, path) in [
                ("GET", "/api/requests/\(id)"), ("GET", "/api/requests/\(id)/sync?afterSeq=0"), ("POST", "/api/requests/\(id)/cancel"),
            ] {
                let reply = try await exchange.call(method == "GET" ? .GET : .POST, path, token: bob.token)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.errorCode == "not_found")
            }
            let missing = try await exchange.call(.GET, "/api/requests/\(UUID().uuidString.lowercased())", token: bob.token)
            #expect(missing.status == 404)
            let malformed = try await exchange.call(.GET, "/api/requests/not-a-uuid", token: bob.token)
            #expect(malformed.status == 404)
            let list = try await exchange.call(.GET, "/api/requests", token: bob.token)
            #expect((list.json["items"] as? [Any])?.isEmpty == true)
            let stillPending = try await exchange.call(.GET, "/api/requests/\(id)", token: alice.token)
            #expect(stillPending.json["status"] as? String == "pending")
        }
    }

    @Test func operatorsCannotCreateAndUsersCannotReadStats() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let create = try await exchange.call(
                .POST,
                "/api/requests",
                body: #"{"fiatCurrency":"USD","fiatAmount":"1","cryptoCurrency":"BTC"}"#,
                token: op.token
            )
            #expect(create.status == 403)
            let stats = try await exchange.call(.GET, "/api/stats", token: user.token)
            #expect(stats.status == 403)
            let unknown = try await exchange.call(.GET, "/api/requests", token: String(repeating: "a", count: 43))
            #expect(unknown.status == 401)
            #expect(unknown.errorCode == "unauthorized")
        }
    }
}
