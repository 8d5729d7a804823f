/// Sorted sets (delay queues, schedules).
extension RedisCommandExecutor {
    /// `ZADD key score member`; the number of members added (0 when only the score changed).
    @discardableResult
    public func zadd(_ key: String, score: Double, member: String) async throws -> Int {
        try await zadd(key, members: [(score, member)])
    }

    /// `ZADD key score member …`; the number of members added.
    @discardableResult
    public func zadd(_ key: String, members: [(score: Double, member: String)]) async throws -> Int {
        var arguments = ["ZADD", key]
        for (score, member) in members {
            arguments += [String(score), member]
        }
        return try await send(arguments).integer(for: "ZADD")
    }

    /// `ZRANGEBYSCORE key min max [LIMIT offset count]`. Bounds use Redis syntax: `"-inf"`,
    /// `"(5"` (exclusive), `"1700000000.5"`.
    public func zrangebyscore(
        _ key: String,
        min: String,
        max: String,
        limit: (offset: Int, count: Int)? = nil
    ) async throws -> [String] {
        var arguments = ["ZRANGEBYSCORE", key, min, max]
        if let limit { arguments += ["LIMIT", String(limit.offset), String(limit.count)] }
        return try await send(arguments).elements(for: "ZRANGEBYSCORE").map { try $0.text(for: "ZRANGEBYSCORE") }
    }

    /// `ZRANGEBYSCORE` with inclusive numeric bounds.
    public func zrangebyscore(
        _ key: String,
        min: Double,
        max: Double,
        limit: (offset: Int, count: Int)? = nil
    ) async throws -> [String] {
        try await zrangebyscore(key, min: String(min), max: String(max), limit: limit)
    }

    /// `ZREM key member …`; the number of members removed.
    @discardableResult
    public func zrem(_ key: String, members: [String]) async throws -> Int {
        try await send(["ZREM", key] + members).integer(for: "ZREM")
    }

    /// `ZCARD key`.
    public func zcard(_ key: String) async throws -> Int {
        try await send(["ZCARD", key]).integer(for: "ZCARD")
    }

    /// `ZSCORE key member`; `nil` when absent.
    public func zscore(_ key: String, member: String) async throws -> Double? {
        guard let text = try await send(["ZSCORE", key, member]).optionalText(for: "ZSCORE") else { return nil }
        guard let score = Double(text) else { throw RedisError.unexpectedReply("ZSCORE: \(text) is not a number") }
        return score
    }
}
