import RedisClient

/// Sessions cached in Redis for a few minutes (the seed's session caching), keyed by the
/// token's SHA-256. Redis trouble is never fatal here: a miss falls through to PostgreSQL.
///
/// A role change must not be undone by a refill that read the user before the change
/// committed: the change sets `session-role:<user>` to the user's new role version, then
/// drops the cached sessions; a refill writes only if its version is not older (one Lua
/// script, so the check and the write are atomic).
struct SessionCache: Sendable {
    let redis: RedisClient
    let ttlSeconds: Int
    var namespace = RedisNamespace.standard

    private func key(_ tokenHash: String) -> String { namespace.session(tokenHash) }
    private func versionKey(_ userID: String) -> String { namespace.key("session-role:\(userID)") }

    func get(_ tokenHash: String) async -> Actor? {
        guard let value = try? await redis.get(key(tokenHash)) else { return nil }
        let parts = value.split(separator: "|")
        guard parts.count == 2, let role = Role(rawValue: String(parts[1])) else { return nil }
        return Actor(id: String(parts[0]), role: role)
    }

    /// KEYS: session key, role-version key. ARGV: value, ttl seconds, the version read.
    static let refill = """
        local current = tonumber(redis.call('GET', KEYS[2]) or '-1')
        if current > tonumber(ARGV[3]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """

    /// Caches for `ttlSeconds`, never beyond the session's own expiry, unless the user's role
    /// changed after `user` was read.
    func put(_ tokenHash: String, _ user: UserStore.User, sessionRemainingSeconds: Int) async {
        let ttl = min(ttlSeconds, sessionRemainingSeconds)
        guard ttl > 0 else { return }
        _ = try? await redis.evalSHA(
            Self.refill,
            keys: [key(tokenHash), versionKey(user.id)],
            args: ["\(user.id)|\(user.role.rawValue)", String(ttl), String(user.roleVersion)]
        )
    }

    /// After a role change committed: refuse older refills, then drop what is cached.
    func roleChanged(_ user: UserStore.User, sessions tokenHashes: [String]) async throws {
        _ = try await redis.set(versionKey(user.id), String(user.roleVersion), exSeconds: max(ttlSeconds * 2, 60))
        try await drop(tokenHashes)
    }

    func drop(_ tokenHashes: [String]) async throws {
        guard !tokenHashes.isEmpty else { return }
        _ = try await redis.del(tokenHashes.map(key))
    }
}
