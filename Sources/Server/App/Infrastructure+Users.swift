extension Infrastructure {
    /// Makes `phone` an operator (creating the user if new) and drops its cached sessions so
    /// the new role applies at once.
    public func grantOperator(phone: String) async throws -> UserStore.User {
        let users = UserStore(primary: database.primary)
        let user = try await users.grantOperator(phone: phone)
        let cache = SessionCache(redis: redis, ttlSeconds: configuration.auth.sessionCacheSeconds, namespace: namespace)
        try await cache.roleChanged(user, sessions: users.sessionHashes(phone: phone))
        return user
    }
}

extension Infrastructure {
    /// Stores `code` as `phone`'s current one-time code, creating the user if new, without
    /// sending anything. For tests and local tooling; the HTTP API never exposes it.
    public func plantCode(phone: String, code: String) async throws {
        try await UserStore(primary: database.primary).issueCode(
            phone: phone,
            codeHash: Secrets.codeHash(phone: phone, code: code, secret: configuration.auth.secret),
            ttlSeconds: configuration.auth.otpTtlSeconds,
            outbox: []
        )
    }
}
