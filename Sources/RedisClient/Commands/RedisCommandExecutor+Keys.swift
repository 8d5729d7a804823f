/// Strings, counters and key expiry.
extension RedisCommandExecutor {
    /// `PING`; returns the reply text (`PONG`).
    @discardableResult
    public func ping() async throws -> String {
        try await send(["PING"]).text(for: "PING")
    }

    /// `GET key`; `nil` when the key doesn't exist.
    public func get(_ key: String) async throws -> String? {
        try await send(["GET", key]).optionalText(for: "GET")
    }

    /// `GET key` as bytes; `nil` when the key doesn't exist.
    public func getBytes(_ key: String) async throws -> [UInt8]? {
        let reply = try await send(["GET", key])
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw reply.unexpected("GET", "a bulk string") }
        return bytes
    }

    /// `SET key value [EX seconds]`.
    public func set(_ key: String, _ value: String, exSeconds: Int? = nil) async throws {
        try await set(key, bytes: Array(value.utf8), exSeconds: exSeconds)
    }

    /// `SET key value [EX seconds]` with a binary value.
    public func set(_ key: String, bytes value: [UInt8], exSeconds: Int? = nil) async throws {
        var arguments = [Array("SET".utf8), Array(key.utf8), value]
        if let exSeconds { arguments += [Array("EX".utf8), Array(String(exSeconds).utf8)] }
        try await send(bytes: arguments)
    }

    /// `SET key value NX [EX seconds]`; `true` when the key was set, `false` when it existed.
    public func setNX(_ key: String, _ value: String, exSeconds: Int? = nil) async throws -> Bool {
        var arguments = ["SET", key, value, "NX"]
        if let exSeconds { arguments += ["EX", String(exSeconds)] }
        return try await !send(arguments).isNull
    }

    /// `DEL key …`; the number of keys removed.
    @discardableResult
    public func del(_ keys: [String]) async throws -> Int {
        try await send(["DEL"] + keys).integer(for: "DEL")
    }

    /// `DEL key`; the number of keys removed (0 or 1).
    @discardableResult
    public func del(_ key: String) async throws -> Int {
        try await del([key])
    }

    /// `EXISTS key …`; how many of the keys exist.
    public func exists(_ keys: String...) async throws -> Int {
        try await send(["EXISTS"] + keys).integer(for: "EXISTS")
    }

    /// `INCR key`; the new value.
    @discardableResult
    public func incr(_ key: String) async throws -> Int {
        try await send(["INCR", key]).integer(for: "INCR")
    }

    /// `INCRBY key increment`; the new value.
    @discardableResult
    public func incrBy(_ key: String, _ increment: Int) async throws -> Int {
        try await send(["INCRBY", key, String(increment)]).integer(for: "INCRBY")
    }

    /// `EXPIRE key seconds`; `false` when the key doesn't exist.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await send(["EXPIRE", key, String(seconds)]).integer(for: "EXPIRE") == 1
    }

    /// `TTL key`: seconds left, `-1` without expiry, `-2` when the key doesn't exist.
    public func ttl(_ key: String) async throws -> Int {
        try await send(["TTL", key]).integer(for: "TTL")
    }

    /// `PUBLISH channel message`; the number of subscribers that received it.
    @discardableResult
    public func publish(_ channel: String, _ message: String) async throws -> Int {
        try await publish(channel, bytes: Array(message.utf8))
    }

    /// `PUBLISH channel message` with a binary payload.
    @discardableResult
    public func publish(_ channel: String, bytes message: [UInt8]) async throws -> Int {
        try await send(bytes: [Array("PUBLISH".utf8), Array(channel.utf8), message]).integer(for: "PUBLISH")
    }
}
