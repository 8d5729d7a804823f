/// One limit on one kind of key: the limiter that counts attempts and how many a minute it
/// admits (creations per user, token lookups per address). The use cases hold a quota each
/// instead of a limiter and a number that only make sense together.
struct Quota: Sendable {
    let limiter: RateLimiter
    let perMinute: Int

    /// Charges one attempt on `key`; over the limit it throws 429 (`CommandError.rateLimited`).
    func charge(_ key: String) async throws {
        try await limiter.charge(key, limit: perMinute)
    }
}

extension RateLimiter {
    /// Charges one attempt on `key` against `limit` a minute and throws 429
    /// (`CommandError.rateLimited`) when it is over; see ``check(_:limit:windowSeconds:failOpen:now:)``
    /// for Redis being down.
    func charge(_ key: String, limit: Int, failOpen: Bool? = nil) async throws {
        if case .limited(let retry) = try await check(key, limit: limit, failOpen: failOpen) {
            throw CommandError.rateLimited(retryAfterSeconds: retry)
        }
    }
}
