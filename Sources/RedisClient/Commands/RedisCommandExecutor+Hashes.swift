/// Hashes.
extension RedisCommandExecutor {
    /// `HSET key field value …`; the number of fields added (not updated).
    @discardableResult
    public func hset(_ key: String, fields: [(field: String, value: String)]) async throws -> Int {
        try await send(["HSET", key] + fields.flatMap { [$0.field, $0.value] }).integer(for: "HSET")
    }

    /// `HGET key field`; `nil` when absent.
    public func hget(_ key: String, field: String) async throws -> String? {
        try await send(["HGET", key, field]).optionalText(for: "HGET")
    }

    /// `HGETALL key`; empty when the key doesn't exist.
    public func hgetall(_ key: String) async throws -> [String: String] {
        try await send(["HGETALL", key]).fieldMap(for: "HGETALL")
    }

    /// `HDEL key field …`; the number of fields removed.
    @discardableResult
    public func hdel(_ key: String, fields: [String]) async throws -> Int {
        try await send(["HDEL", key] + fields).integer(for: "HDEL")
    }
}
