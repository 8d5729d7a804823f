import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <token>` (or a `?token=` for WebSocket upgrades) to the
/// caller: Redis cache first, then the in-process cache of unknown tokens, then PostgreSQL —
/// at most `tokenLookupsPerAddressPerMinute` times a minute per client address, so random
/// tokens can't drive queries on the primary.
struct Authenticator: Sendable {
    let users: UserStore
    let cache: SessionCache
    let unknown: UnknownTokens
    /// Database lookups of unknown tokens per client address (`rateLimit.tokenLookupsPerAddressPerMinute`).
    let lookups: Quota

    /// The caller of an API request: `Authorization` header only, so tokens stay out of URLs
    /// (and access logs) everywhere but the WebSocket upgrade.
    func actor(for request: Request, from address: String) async throws -> Actor {
        guard let token = Self.headerToken(request) else { throw APIError.unauthorized }
        return try await actor(token: token, from: address)
    }

    func actor(token: String, from address: String) async throws -> Actor {
        guard token.utf8.count >= 32, token.utf8.count <= 128 else { throw APIError.unauthorized }
        let hash = Secrets.tokenHash(token)
        if let cached = await cache.get(hash) { return cached }
        guard !unknown.contains(hash) else { throw APIError.unauthorized }
        try await lookups.charge("token-lookup:\(address)")
        guard let (user, remaining) = try await users.session(tokenHash: hash) else {
            unknown.insert(hash)
            throw APIError.unauthorized
        }
        await cache.put(hash, user, sessionRemainingSeconds: remaining)
        return Actor(id: user.id, role: user.role)
    }

    /// Revokes the session of `token`: the row, then the cached copy.
    func revoke(token: String) async throws {
        let hash = Secrets.tokenHash(token)
        try await users.endSession(tokenHash: hash)
        try? await cache.drop([hash])
    }

    /// `Authorization: Bearer <token>`; the scheme name is case-insensitive (RFC 7235).
    static func headerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Header or `?token=` (browsers can't set headers on a WebSocket upgrade).
    static func bearerToken(_ request: Request) -> String? {
        headerToken(request) ?? request.uri.queryParameters.get("token")
    }
}
