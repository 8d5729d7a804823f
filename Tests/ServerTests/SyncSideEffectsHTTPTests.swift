import Foundation
import PostgresClient
import ProviderSimulator
import Testing

/// `sideEffects.mode = sync`: provider calls inline after commit, with a real provider.
@Suite struct SyncSideEffectsHTTPTests {
    @Test func signInWithTheCodeFromTheSMS() async throws {
        try await TestProvider.with { provider in
            try await TestExchange.with({ $0.provider.url = provider.url }) { exchange in
                let phone = TestExchange.randomPhone()
                let otp = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(phone)"}"#)
                #expect(otp.status == 202)
                #expect(otp.json["expiresInSeconds"] as? Int == 300)
                let sms = try #require(provider.messages(matching: MessageFilter(kind: .sms, to: phone)).last)
                #expect(sms.idempotencyKey.hasPrefix("otp:"))
                let numbers = (sms.body ?? "").split(whereSeparator: { !$0.isNumber }).map(String.init)
                let code = try #require(numbers.first { $0.count == 6 })
                let verified = try await exchange.call(.POST, "/api/auth/verify", body: #"{"phone":"\#(phone)","code":"\#(code)"}"#)
                #expect(verified.status == 200, "\(verified.text) code=\(code)")
                #expect(verified.json["token"] is String)
            }
        }
    }

    @Test func transitionsNotifyTheOwnerAndCompletionCallsTheWebhook() async throws {
        try await TestProvider.with { provider in
            try await TestExchange.with({ $0.provider.url = provider.url }) { exchange in
                let user = try await exchange.signIn()
                let op = try await exchange.signIn(operator: true)
                let id = try await exchange.createRequest(user)
                for action in ["claim", "start", "complete"] { try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token) }
                let emails = provider.messages(matching: MessageFilter(kind: .email, requestId: id))
                #expect(emails.count == 3)
                #expect(emails.allSatisfy { $0.to == user.userID })
                let events = provider.messages(matching: MessageFilter(kind: .events, requestId: id))
                #expect(events.count == 4, "one analytics event per transition, creation included")
                let webhooks = provider.messages(matching: MessageFilter(kind: .webhook, requestId: id))
                #expect(webhooks.count == 1)
                #expect(Set(emails.map(\.idempotencyKey)).count == 3, "distinct idempotency keys")
            }
        }
    }

    @Test func failedCallAfterCommitIsReportedAndRecordedForRetry() async throws {
        try await TestProvider.with(errorRate: 1) { provider in
            try await TestExchange.with({ $0.provider.url = provider.url }) { exchange in
                let user = try await exchange.signIn()
                let op = try await exchange.signIn(operator: true)
                let id = try await exchange.createRequest(user)
                let claim = try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                #expect(claim.status == 200, "the transition stands")
                #expect(claim.json["status"] as? String == "assigned")
                #expect(claim.header("X-Side-Effects-Failed")?.contains("email") == true)
                let rows = try await exchange.services.database.primary.query(
                    PostgresQuery("t_outbox_for", "SELECT kind FROM outbox WHERE request_id = $1::uuid ORDER BY kind"),
                    [id]
                )
                let kinds = try rows.rows.map { try $0.decode("kind", as: String.self) }
                #expect(kinds.contains("email"))
                #expect(kinds.contains("events"))
            }
        }
    }

    @Test func syncLatencyIncludesTheProviderCall() async throws {
        try await TestProvider.with(latencyMs: 200) { provider in
            try await TestExchange.with({ $0.provider.url = provider.url }) { exchange in
                let user = try await exchange.signIn()
                let start = ContinuousClock.now
                _ = try await exchange.createRequest(user)
                #expect(ContinuousClock.now - start >= .milliseconds(200))
            }
        }
    }
}
