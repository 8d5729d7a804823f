import Foundation
import RedisClient
import Testing

/// Shared helpers for the Redis suites.
enum TestRedis {
    /// `REDIS_URL`, or the development Redis.
    static var configuration: RedisConfiguration {
        let url = ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:56379"
        do {
            return try RedisConfiguration(url: url)
        } catch {
            fatalError("REDIS_URL: \(error)")
        }
    }

    /// A key prefix no other test run uses, so suites can share one Redis in parallel.
    static func prefix(_ test: String = #function) -> String {
        "test:redisclient:\(UUID().uuidString.prefix(8)):\(test.prefix { $0 != "(" }):"
    }

    /// The test configuration with some settings changed.
    static func configuration(
        poolSize: Int? = nil,
        port: Int? = nil,
        host: String? = nil,
        clientName: String? = nil,
        connectTimeout: Duration? = nil,
        commandTimeout: Duration? = nil
    ) -> RedisConfiguration {
        var configuration = configuration
        if let poolSize { configuration.poolSize = poolSize }
        if let port { configuration.port = port }
        if let host { configuration.host = host }
        if let clientName { configuration.clientName = clientName }
        if let connectTimeout { configuration.connectTimeout = connectTimeout }
        if let commandTimeout { configuration.commandTimeout = commandTimeout }
        return configuration
    }

    /// A TCP port on 127.0.0.1 with nothing listening (bound, then released).
    static func unusedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        precondition(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Thrown by ``withDeadline(_:_:)`` when the body took too long.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// Runs `body`, failing with ``DeadlineExceeded`` if it hasn't finished in `seconds` — a
/// generous "did not hang" bound, not a performance assertion.
@discardableResult
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Reads the next `count` messages from a subscriber's stream.
func collect(_ count: Int, from messages: AsyncStream<RedisPubSubMessage>) async -> [RedisPubSubMessage] {
    var received: [RedisPubSubMessage] = []
    for await message in messages {
        received.append(message)
        if received.count == count { break }
    }
    return received
}

/// Runs `body` with a fresh client on the test Redis, then deletes every key under `prefix`
/// and shuts the client down, whether `body` threw or not.
@discardableResult
func withClient<T>(
    _ configuration: RedisConfiguration = TestRedis.configuration,
    prefix: String? = nil,
    onCommand: RedisCommandObserver? = nil,
    _ body: (RedisClient) async throws -> T
) async throws -> T {
    let client = RedisClient(configuration: configuration, onCommand: onCommand)
    let result: Result<T, Error>
    do {
        result = .success(try await body(client))
    } catch {
        result = .failure(error)
    }
    if let prefix { try? await deleteKeys(prefix: prefix, using: client) }
    await client.shutdown()
    return try result.get()
}

/// Deletes every key starting with `prefix`.
func deleteKeys(prefix: String, using client: RedisClient) async throws {
    var cursor = "0"
    repeat {
        let reply = try await client.send(["SCAN", cursor, "MATCH", "\(prefix)*", "COUNT", "1000"])
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else { return }
        let names = keys.compactMap(\.string)
        if !names.isEmpty { try await client.del(names) }
        cursor = next
    } while cursor != "0"
}
