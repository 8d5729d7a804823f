import RedisClient

/// Sessions cached in Redis for a few minutes (the seed's session caching), keyed by the
/// token's SHA-256. Redis trouble is never fatal here: a miss falls through to PostgreSQL.
struct SessionCache: Sendable {
    let redis: RedisClient
    let ttlSeconds: Int
    var namespace = RedisNamespace.standard

    private func key(_ tokenHash: String) -> String { namespace.session(tokenHash) }

    func get(_ tokenHash: String) async -> Actor? {
        guard let value = try? await redis.get(key(tokenHash)) else { return nil }
        let parts = value.split(separator: "|")
        guard parts.count == 2, let role = Role(rawValue: String(parts[1])) else { return nil }
        return Actor(id: String(parts[0]), role: role)
    }

    /// Caches for `ttlSeconds`, never beyond the session's own expiry.
    func put(_ tokenHash: String, _ actor: Actor, sessionRemainingSeconds: Int) async {
        let ttl = min(ttlSeconds, sessionRemainingSeconds)
        guard ttl > 0 else { return }
        try? await redis.set(key(tokenHash), "\(actor.id)|\(actor.role.rawValue)", exSeconds: ttl)
    }

    func drop(_ tokenHashes: [String]) async throws {
        guard !tokenHashes.isEmpty else { return }
        _ = try await redis.del(tokenHashes.map(key))
    }
}
