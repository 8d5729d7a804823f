import Foundation
import PostgresClient
import Testing

@testable import Server

/// Sign-in by one-time code: expiry, single use, lockout, sessions and role changes.
@Suite struct AuthHTTPTests {
    func verify(_ exchange: TestExchange, _ phone: String, _ code: String) async throws -> TestExchange.Reply {
        try await exchange.call(.POST, "/api/auth/verify", body: #"{"phone":"\#(phone)","code":"\#(code)"}"#)
    }

    @Test func codeIsSingleUse() async throws {
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: phone, code: "123456")
            let first = try await verify(exchange, phone, "123456")
            #expect(first.status == 200)
            #expect((first.json["token"] as? String)?.count ?? 0 >= 43)
            #expect((first.json["user"] as? [String: Any])?["role"] as? String == "user")
            let again = try await verify(exchange, phone, "123456")
            #expect(again.status == 401)
            #expect(again.errorCode == "unauthorized")
        }
    }

    @Test func fiveWrongCodesVoidTheCode() async throws {
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: phone, code: "111111")
            for _ in 0..<5 { #expect(try await verify(exchange, phone, "222222").status == 401) }
            #expect(try await verify(exchange, phone, "111111").status == 401, "locked after 5 wrong tries")
        }
    }

    /// Expiry without waiting for it: the code is stored the way `POST /api/auth/otp` stores
    /// it, with a lifetime that has already run out.
    @Test func expiredCodeIsRefused() async throws {
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            let hash = Secrets.codeHash(phone: phone, code: "333333", secret: exchange.services.configuration.auth.secret)
            try await UserStore(primary: exchange.services.database.primary).issueCode(phone: phone, codeHash: hash, ttlSeconds: -1, outbox: [])
            #expect(try await verify(exchange, phone, "333333").status == 401)
        }
    }

    /// …and a code lives exactly `auth.otpTtlSeconds` from its issue.
    @Test func codeLivesForTheConfiguredTTL() async throws {
        try await TestExchange.with({ $0.auth.otpTtlSeconds = 1 }) { exchange in
            let phone = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: phone, code: "333333")
            let lifetime = PostgresQuery(
                "test_otp_lifetime",
                "SELECT EXTRACT(EPOCH FROM expires_at - created_at)::int AS seconds FROM otp_codes WHERE phone = $1"
            )
            let row = try #require(try await exchange.services.database.primary.query(lifetime, [phone]).first)
            #expect(try row.decode("seconds", as: Int.self) == 1)
        }
    }

    @Test func newCodeReplacesThePreviousOne() async throws {
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: phone, code: "444444")
            try await exchange.services.plantCode(phone: phone, code: "555555")
            #expect(try await verify(exchange, phone, "444444").status == 401)
            #expect(try await verify(exchange, phone, "555555").status == 200)
        }
    }

    @Test func grantOperatorAppliesAtOnceDespiteTheCache() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            // Warm the Redis session cache with the `user` role.
            #expect(try await exchange.call(.GET, "/api/stats", token: user.token).status == 403)
            _ = try await exchange.services.grantOperator(phone: user.phone)
            #expect(try await exchange.call(.GET, "/api/stats", token: user.token).status == 200)
        }
    }

    @Test func sessionsSurviveAnEmptyCache() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            _ = try await exchange.services.redis.del("session:\(Secrets.tokenHash(user.token))")
            #expect(try await exchange.call(.GET, "/api/requests", token: user.token).status == 200)
        }
    }

    @Test func otpIsRateLimitedPerPhone() async throws {
        try await TestExchange.with({
            $0.rateLimit.otpPerPhonePerMinute = 2
            $0.sideEffects.mode = .queued
        }) { exchange in
            let phone = TestExchange.randomPhone()
            for _ in 0..<2 {
                #expect(try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(phone)"}"#).status == 202)
            }
            let limited = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(phone)"}"#)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test func syncModeProviderFailureAnswers503AndVoidsTheCode() async throws {
        // The test configuration's provider address has nothing listening.
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            let reply = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(phone)"}"#)
            #expect(reply.status == 503)
            #expect(reply.errorCode == "unavailable")
            let rows = try await exchange.services.database.primary.query(
                PostgresQuery("t_otp_count", "SELECT count(*) AS n FROM otp_codes WHERE phone = $1"),
                [phone]
            )
            #expect(try rows.first?.decode("n", as: Int.self) == 0)
            // …and the voided code is not queued for a later delivery.
            let queued = try await exchange.services.database.primary.query(
                PostgresQuery("t_otp_outbox", "SELECT count(*) AS n FROM outbox WHERE kind = 'sms' AND payload->>'to' = $1"),
                [phone]
            )
            #expect(try queued.first?.decode("n", as: Int.self) == 0)
        }
    }
}
