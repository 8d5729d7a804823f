import Foundation
import RedisClient
import Testing

@testable import Server

/// Sign-in abuse: wrong codes per phone across codes, per-address and global limits, and
/// limits that never fail open. The tests that lower per-address limits run on a Redis
/// database of their own (``PrivateRedis``), emptied first.
@Suite(.serialized) struct SignInLimitTests {

    func verify(_ exchange: TestExchange, _ phone: String, _ code: String) async throws -> TestExchange.Reply {
        try await exchange.call(.POST, "/api/auth/verify", body: #"{"phone":"\#(phone)","code":"\#(code)"}"#)
    }

    @Test func wrongCodesCountPerPhoneAcrossReissuedCodes() async throws {
        try await TestExchange.with { exchange in
            let phone = TestExchange.randomPhone()
            // Two codes, five wrong guesses each: re-issuing must not reset the count.
            for round in 0..<2 {
                try await exchange.services.plantCode(phone: phone, code: "111111")
                for _ in 0..<5 {
                    #expect(try await verify(exchange, phone, "222222").status == 401, "round \(round)")
                }
            }
            try await exchange.services.plantCode(phone: phone, code: "333333")
            let locked = try await verify(exchange, phone, "333333")
            #expect(locked.status == 429)
            #expect(locked.errorCode == "rate_limited")
            let retry = Int(locked.header("Retry-After") ?? "") ?? 0
            #expect(retry > 3000 && retry <= 3600)
            // Another phone is not affected.
            let other = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: other, code: "444444")
            #expect(try await verify(exchange, other, "444444").status == 200)
        }
    }

    @Test func otpAndVerifyAreLimitedPerClientAddress() async throws {
        try await PrivateRedis.emptied(PrivateRedis.signInLimits)
        try await TestProvider.with { provider in
            try await TestExchange.with({
                $0.redis.url = PrivateRedis.signInLimits
                $0.provider.url = provider.url
                $0.rateLimit.otpPerAddressPerMinute = 2
                $0.rateLimit.verifyPerAddressPerMinute = 3
            }) { exchange in
                for _ in 0..<2 {
                    #expect(try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(TestExchange.randomPhone())"}"#).status == 202)
                }
                let third = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(TestExchange.randomPhone())"}"#)
                #expect(third.status == 429)
                #expect(third.header("Retry-After") != nil)
                for _ in 0..<3 {
                    #expect(try await verify(exchange, TestExchange.randomPhone(), "123456").status == 401)
                }
                #expect(try await verify(exchange, TestExchange.randomPhone(), "123456").status == 429)
            }
        }
    }

    @Test func smsAcrossAllPhonesHasAGlobalCap() async throws {
        try await PrivateRedis.emptied(PrivateRedis.signInLimits)
        try await TestProvider.with { provider in
            try await TestExchange.with({
                $0.redis.url = PrivateRedis.signInLimits
                $0.provider.url = provider.url
                $0.rateLimit.smsPerMinute = 3
            }) { exchange in
                var statuses: [Int] = []
                for _ in 0..<4 {
                    statuses.append(try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(TestExchange.randomPhone())"}"#).status)
                }
                #expect(statuses == [202, 202, 202, 429])
            }
        }
    }

    /// Redis down: creation follows `rateLimit.failOpen` (on), sign-in refuses with 503.
    @Test func signInLimitsFailClosedWhenRedisIsDown() async throws {
        let session = try await TestExchange.with { try await $0.signIn() }
        try await TestExchange.with({
            $0.redis.url = "redis://127.0.0.1:1"
            $0.rateLimit.failOpen = true
        }) { exchange in
            let otp = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(TestExchange.randomPhone())"}"#)
            #expect(otp.status == 503)
            #expect(otp.errorCode == "unavailable")
            let phone = TestExchange.randomPhone()
            try await exchange.services.plantCode(phone: phone, code: "123123")
            #expect(try await verify(exchange, phone, "123123").status == 503)
            _ = try await exchange.createRequest(session)
        }
    }
}
