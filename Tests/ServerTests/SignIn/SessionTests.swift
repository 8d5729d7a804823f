import Foundation
import PostgresClient
import Testing

@testable import Server

/// Logout, the `Bearer` scheme, the unknown-token cache, per-address look-up limits, and role
/// changes racing a cache refill.
@Suite struct SessionTests {
    @Test func logoutRevokesTheTokenAtOnce() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            #expect(try await exchange.call(.GET, "/api/requests", token: user.token).status == 200)  // now cached
            let logout = try await exchange.call(.POST, "/api/auth/logout", token: user.token)
            #expect(logout.status == 204)
            let revoked = try await exchange.call(.GET, "/api/requests", token: user.token)
            #expect(revoked.status == 401)
            // An HTTP 401 names the scheme, as the WebSocket upgrade's refusal does (RFC 7235).
            #expect(revoked.header("WWW-Authenticate") == "Bearer")
            #expect(try await exchange.call(.POST, "/api/auth/logout", token: user.token).status == 401)
        }
    }

    @Test(arguments: ["bearer", "BEARER", "Bearer", "bEaReR"])
    func bearerSchemeIsCaseInsensitive(_ scheme: String) async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let reply = try await exchange.call(.GET, "/api/requests", headers: [("Authorization", "\(scheme) \(user.token)")])
            #expect(reply.status == 200)
        }
    }

    @Test func unknownTokensAreRememberedAndLookupsLimitedPerAddress() async throws {
        let redis = try await PrivateRedis.emptied(PrivateRedis.sessions)
        try await TestExchange.with({
            $0.redis.url = redis
            $0.rateLimit.tokenLookupsPerAddressPerMinute = 3
        }) { exchange in
            let lookups = { try await exchange.metric(#"db_query_duration_seconds_count{pool="primary",query="session_get"}"#) }
            let before = try await lookups()
            let bogus = String(repeating: "x", count: 43)
            for _ in 0..<5 { #expect(try await exchange.call(.GET, "/api/requests", token: bogus).status == 401) }
            #expect(try await lookups() - before == 1)
            // Fresh random tokens each miss both caches: the fourth look-up in the minute is refused
            // before it reaches PostgreSQL.
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await exchange.call(.GET, "/api/requests", token: Secrets.newToken()).status) }
            #expect(statuses == [401, 401, 429])
            #expect(try await lookups() - before == 3)
            // The WebSocket upgrade answers the same limit in the same terms.
            let port = try #require(Int(exchange.baseURL.split(separator: ":").last ?? ""))
            let upgrade = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws?token=" + Secrets.newToken()))
            #expect(upgrade.status == 429, "\(upgrade.text)")
            #expect(upgrade.text.contains("rate_limited"), "\(upgrade.text)")
            #expect(upgrade.text.lowercased().contains("\r\nretry-after: "), "\(upgrade.text)")
        }
    }

    /// A refill that read the user before a role change committed must not cache the old role.
    @Test func roleChangeWinsOverAStaleRefill() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let users = UserStore(primary: exchange.services.database.primary)
            let hash = Secrets.tokenHash(user.token)
            let cache = SessionCache(redis: exchange.services.redis, ttlSeconds: 300)
            // The refill's read, before the grant.
            guard let (stale, remaining) = try await users.session(tokenHash: hash) else { throw TestFailure("no session") }
            #expect(stale.role == .user)
            _ = try await exchange.services.grantOperator(phone: user.phone)
            // The refill's write, after the grant dropped the cache.
            await cache.put(hash, stale, sessionRemainingSeconds: remaining)
            #expect(await cache.get(hash) == nil)
            #expect(try await exchange.call(.GET, "/api/stats", token: user.token).status == 200)
            #expect(await cache.get(hash)?.role == .operator)
        }
    }
}
