import Foundation
import Testing

@testable import Server

/// Rate limits against the real Redis, with a controlled clock.
@Suite struct RateLimiterTests {
    func limiter(_ algorithm: ServerConfiguration.RateLimitAlgorithm, _ exchange: TestExchange) -> RateLimiter {
        var settings = ServerConfiguration.RateLimit()
        settings.algorithm = algorithm
        return RateLimiter(redis: exchange.services.redis, configuration: settings, metrics: exchange.services.metrics)
    }

    /// Ten attempts just before a minute boundary and ten just after.
    func boundaryBurst(_ limiter: RateLimiter) async throws -> Int {
        let key = "test:\(UUID().uuidString)"
        let minute = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 600
        var allowed = 0
        for i in 0..<10 {
            let at = Date(timeIntervalSince1970: minute - 1 + Double(i) * 0.05)
            if try await limiter.check(key, limit: 10, now: at) == .allowed { allowed += 1 }
        }
        for i in 0..<10 {
            let at = Date(timeIntervalSince1970: minute + 0.5 + Double(i) * 0.05)
            if try await limiter.check(key, limit: 10, now: at) == .allowed { allowed += 1 }
        }
        return allowed
    }

    @Test func fixedWindowLetsTwiceTheLimitThroughAcrossABoundary() async throws {
        try await TestExchange.with { exchange in
            let allowed = try await boundaryBurst(limiter(.fixed, exchange))
            #expect(allowed == 20)
        }
    }

    @Test(arguments: [ServerConfiguration.RateLimitAlgorithm.sliding, .gcra])
    func smoothAlgorithmsHaveNoBoundaryBurst(_ algorithm: ServerConfiguration.RateLimitAlgorithm) async throws {
        try await TestExchange.with { exchange in
            let allowed = try await boundaryBurst(limiter(algorithm, exchange))
            #expect(allowed == 10)
        }
    }

    @Test(arguments: ServerConfiguration.RateLimitAlgorithm.allCases)
    func limitIsExactAndRetryAfterIsPositive(_ algorithm: ServerConfiguration.RateLimitAlgorithm) async throws {
        try await TestExchange.with { exchange in
            let limiter = limiter(algorithm, exchange)
            let key = "test:\(UUID().uuidString)"
            let now = Date()
            for i in 0..<5 {
                #expect(try await limiter.check(key, limit: 5, now: now.addingTimeInterval(Double(i) * 0.001)) == .allowed)
            }
            guard case .limited(let retry) = try await limiter.check(key, limit: 5, now: now.addingTimeInterval(0.01)) else {
                Issue.record("sixth attempt allowed")
                return
            }
            #expect(retry >= 1 && retry <= 60)
        }
    }

    @Test func creationIsLimitedPerUserOverHTTP() async throws {
        try await TestExchange.with({ $0.rateLimit.perUserPerMinute = 3 }) { exchange in
            let user = try await exchange.signIn()
            let other = try await exchange.signIn()
            // Rejected attempts count too: one invalid body, then two good ones, then the limit.
            let invalid = try await exchange.call(.POST, "/api/requests", body: #"{"fiatCurrency":"XXX"}"#, token: user.token)
            #expect(invalid.status == 422)
            _ = try await exchange.createRequest(user)
            _ = try await exchange.createRequest(user)
            let limited = try await exchange.call(
                .POST,
                "/api/requests",
                body: #"{"fiatCurrency":"USD","fiatAmount":"1","cryptoCurrency":"BTC"}"#,
                token: user.token
            )
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") != nil)
            _ = try await exchange.createRequest(other)
        }
    }

    @Test func redisDownFailsOpenOrClosedAsConfigured() async throws {
        try await TestExchange.with({ $0.redis.url = "redis://127.0.0.1:1" }) { exchange in
            var open = ServerConfiguration.RateLimit()
            open.failOpen = true
            let failOpen = RateLimiter(redis: exchange.services.redis, configuration: open, metrics: exchange.services.metrics)
            let first = try await failOpen.check("otp:k", limit: 1)
            let second = try await failOpen.check("otp:k", limit: 1)
            #expect(first == .allowed)
            #expect(second == .allowed)
            var closed = open
            closed.failOpen = false
            let failClosed = RateLimiter(redis: exchange.services.redis, configuration: closed, metrics: exchange.services.metrics)
            await #expect(throws: APIError.self) { _ = try await failClosed.check("create:k", limit: 1) }
            let metrics = exchange.services.metrics.registry.render()
            #expect(metrics.contains(#"ratelimit_decisions_total{limiter="otp",result="failed_open"} 2"#))
            #expect(metrics.contains(#"ratelimit_decisions_total{limiter="create",result="failed_closed"} 1"#))
        }
    }
}
