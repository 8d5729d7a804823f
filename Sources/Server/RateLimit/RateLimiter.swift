import Foundation
import RedisClient

/// Per-key rate limits in Redis (creation per user, OTP per phone), with three algorithms:
///
/// - `fixed`: the seed's `INCR` + `EXPIRE` per calendar minute. Cheap, but lets 2× the limit
///   through across a window boundary (end of one minute + start of the next).
/// - `sliding`: a sliding log (sorted set of attempt times) — exactly `limit` per any 60 s.
/// - `gcra`: generic cell rate algorithm (one timestamp per key) — smooth, burst ≤ `limit`.
///
/// Every attempt counts, rejected ones included (`fixed`, `sliding`); GCRA by construction
/// charges only admitted attempts. Each algorithm is one atomic Lua script (fixed: one script
/// for INCR + EXPIRE so a crash between them can't leave a key without TTL). The clock is
/// passed in, so tests can cross window boundaries without waiting.
public struct RateLimiter: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed
        case limited(retryAfterSeconds: Int)
    }

    let redis: RedisClient
    let algorithm: ServerConfiguration.RateLimitAlgorithm
    let failOpen: Bool
    let metrics: ServerMetrics
    let namespace: RedisNamespace

    init(redis: RedisClient, configuration: ServerConfiguration.RateLimit, metrics: ServerMetrics, namespace: RedisNamespace = .standard) {
        self.namespace = namespace
        self.redis = redis
        self.algorithm = configuration.algorithm
        self.failOpen = configuration.failOpen
        self.metrics = metrics
    }

    /// Charges one attempt on `key` against `limit` per `windowSeconds`.
    /// With Redis down: `.allowed` when failing open (`failOpen`, else the configured
    /// `rateLimit.failOpen`), otherwise throws 503 `unavailable`. Sign-in limits pass `false`.
    public func check(_ key: String, limit: Int, windowSeconds: Int = 60, failOpen: Bool? = nil, now: Date = Date()) async throws -> Decision {
        let failOpen = failOpen ?? self.failOpen
        let limiter = Self.limiter(of: key)
        do {
            let decision = try await decide(key, limit: limit, windowSeconds: windowSeconds, now: now)
            metrics.rateLimitDecision(limiter, decision == .allowed ? "allowed" : "limited").increment()
            return decision
        } catch {
            if Self.failsOpen(on: error, failOpen: failOpen) {
                metrics.rateLimitDecision(limiter, "failed_open").increment()
                return .allowed
            }
            metrics.rateLimitDecision(limiter, "failed_closed").increment()
            throw APIError.unavailable
        }
    }

    /// The `limiter` label of a key: its prefix before the first `:` (`otp:+1555…` → `otp`),
    /// so label values stay a small fixed set whatever the keys.
    static func limiter(of key: String) -> String {
        guard let colon = key.firstIndex(of: ":") else { return "other" }
        return String(key[..<colon])
    }

    /// Whether a failed check admits the attempt. `rateLimit.failOpen` covers Redis being
    /// unreachable; a Redis that answers but refuses writes (`OOM` under `maxmemory` with
    /// `noeviction`) always fails closed: memory pressure must never switch limits off
    /// silently (retention pruning keeps the keyspace bounded; see docs/security.md).
    static func failsOpen(on error: Error, failOpen: Bool) -> Bool {
        if let redisError = error as? RedisError, redisError.replyPrefix == "OOM" { return false }
        return failOpen
    }

    func decide(_ key: String, limit: Int, windowSeconds: Int, now: Date) async throws -> Decision {
        let nowMs = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        let windowMs = windowSeconds * 1000
        let script: String
        switch algorithm {
        case .fixed: script = Self.fixedWindow
        case .sliding: script = Self.slidingLog
        case .gcra: script = Self.gcra
        }
        let reply = try await redis.evalSHA(
            script,
            keys: [namespace.rateLimit(algorithm.rawValue, key)],
            args: [String(limit), String(windowMs), String(nowMs)]
        )
        guard let values = reply.array, values.count == 2, let allowed = values[0].int, let waitMs = values[1].int else {
            throw RedisError.unexpectedReply("rate-limit script reply")
        }
        return allowed == 1 ? .allowed : .limited(retryAfterSeconds: max(1, (waitMs + 999) / 1000))
    }

    /// KEYS[1] prefix; ARGV limit, window ms, now ms. Returns {allowed, retry-after ms}.
    static let fixedWindow = """
        local window = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local start = now - (now % window)
        local key = KEYS[1] .. ':' .. start
        local count = redis.call('INCR', key)
        if count == 1 then redis.call('PEXPIRE', key, window + 1000) end
        if count <= tonumber(ARGV[1]) then return {1, 0} end
        return {0, start + window - now}
        """

    static let slidingLog = """
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local key = KEYS[1]
        redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
        local count = redis.call('ZCARD', key)
        local seq = redis.call('INCR', key .. ':seq')
        redis.call('PEXPIRE', key .. ':seq', window)
        redis.call('ZADD', key, now, now .. '-' .. seq)
        redis.call('PEXPIRE', key, window)
        if count < limit then return {1, 0} end
        local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
        return {0, tonumber(oldest[2]) + window - now}
        """

    static let gcra = """
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local interval = window / limit
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local allowAt = tat + interval - window
        if now < allowAt then return {0, math.ceil(allowAt - now)} end
        local newTat = tat + interval
        redis.call('SET', KEYS[1], newTat, 'PX', math.ceil(newTat - now) + 1000)
        return {1, 0}
        """
}
