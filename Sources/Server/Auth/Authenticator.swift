import Hummingbird

/// Resolves `Authorization: Bearer <token>` (or a `?token=` for WebSocket upgrades) to the
/// caller: Redis cache first, PostgreSQL on a miss or when Redis is down.
struct Authenticator: Sendable {
    let users: UserStore
    let cache: SessionCache

    /// The caller of an API request: `Authorization` header only, so tokens stay out of URLs
    /// (and access logs) everywhere but the WebSocket upgrade.
    func actor(for request: Request) async throws -> Actor {
        guard let token = Self.headerToken(request) else { throw APIError.unauthorized }
        return try await actor(token: token)
    }

    func actor(token: String) async throws -> Actor {
        guard token.count >= 32, token.count <= 128 else { throw APIError.unauthorized }
        let hash = Secrets.tokenHash(token)
        if let cached = await cache.get(hash) { return cached }
        guard let (user, remaining) = try await users.session(tokenHash: hash) else { throw APIError.unauthorized }
        let actor = Actor(id: user.id, role: user.role)
        await cache.put(hash, actor, sessionRemainingSeconds: remaining)
        return actor
    }

    static func headerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else { return nil }
        return String(header.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }

    /// Header or `?token=` (browsers can't set headers on a WebSocket upgrade).
    static func bearerToken(_ request: Request) -> String? {
        headerToken(request) ?? request.uri.queryParameters.get("token")
    }
}
