/// Anything that runs Redis commands: the pooled ``RedisClient`` and a single
/// ``RedisConnection``. All typed helpers (`get`, `xreadgroup`, `evalSHA`, …) are extensions on
/// this protocol, so they work on both.
public protocol RedisCommandExecutor: Sendable {
    /// Sends `command` and returns its reply.
    /// - Throws: ``RedisError``; a top-level error reply is ``RedisError/commandFailed(_:)``.
    func execute(_ command: RedisCommand) async throws -> RedisValue
}

extension RedisCommandExecutor {
    /// Sends a command given as text, e.g. `send(["HINCRBY", key, "n", "1"])`.
    @discardableResult
    public func send(_ arguments: [String]) async throws -> RedisValue {
        try await execute(RedisCommand(arguments))
    }

    /// Sends a command with binary arguments.
    @discardableResult
    public func send(bytes arguments: [[UInt8]]) async throws -> RedisValue {
        try await execute(RedisCommand(bytes: arguments))
    }
}
