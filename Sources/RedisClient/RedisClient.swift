import Synchronization

/// The shared Redis client: `poolSize` multiplexed, pipelining ``RedisConnection``s; each
/// command goes to the least-loaded one (round-robin among equals).
///
/// Don't send commands that block server-side (`XREADGROUP … BLOCK`, `BLPOP`) through the
/// shared connections — they would stall everything pipelined behind them. Use
/// ``dedicatedConnection(name:)`` for those.
public final class RedisClient: RedisCommandExecutor, Sendable {
    private struct WeakConnection: Sendable {
        weak var connection: RedisConnection?
    }

    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let connections: [RedisConnection]
    private let next = Atomic<UInt>(0)
    private let observer: RedisCommandObserver?
    private let dedicated = Mutex<[WeakConnection]>([])
    private let dedicatedCount = Atomic<Int>(0)
    private let isShutdown = Atomic<Bool>(false)

    /// Creates the client; connections are made lazily, on their first command.
    /// - Parameters:
    ///   - configuration: where Redis is; `poolSize` below 1 counts as 1.
    ///   - onCommand: called after every command on every connection of this client (dedicated
    ///     ones included), e.g. to feed `redis_command_duration_seconds{command}`.
    public init(configuration: RedisConfiguration = .init(), onCommand: RedisCommandObserver? = nil) {
        self.configuration = configuration
        self.observer = onCommand
        self.connections = (1...max(1, configuration.poolSize)).map {
            RedisConnection(configuration: configuration, name: "redis-\($0)", onCommand: onCommand)
        }
    }

    public func execute(_ command: RedisCommand) async throws -> RedisValue {
        guard !isShutdown.load(ordering: .relaxed) else { throw RedisError.closed }
        return try await leastLoaded().execute(command)
    }

    /// A new connection of its own (same configuration and observer) for blocking commands such
    /// as `XREADGROUP … BLOCK`. The caller should `close()` it when done; ``shutdown()`` closes
    /// any still open.
    public func dedicatedConnection(name: String? = nil) -> RedisConnection {
        let number = dedicatedCount.add(1, ordering: .relaxed).newValue
        let connection = RedisConnection(configuration: configuration, name: name ?? "redis-dedicated-\(number)", onCommand: observer)
        dedicated.withLock { list in
            list.removeAll { $0.connection == nil }
            list.append(WeakConnection(connection: connection))
        }
        return connection
    }

    /// Closes every connection, dedicated ones included. Later commands throw
    /// ``RedisError/closed``.
    public func shutdown() async {
        isShutdown.store(true, ordering: .relaxed)
        let open = dedicated.withLock { list in list.compactMap(\.connection) }
        for connection in connections + open {
            await connection.close()
        }
    }

    private func leastLoaded() -> RedisConnection {
        let count = UInt(connections.count)
        let start = next.add(1, ordering: .relaxed).oldValue % count
        var best = connections[Int(start)]
        var bestLoad = best.inFlight
        for offset in 1..<connections.count where bestLoad > 0 {
            let candidate = connections[Int((start + UInt(offset)) % count)]
            let load = candidate.inFlight
            if load < bestLoad {
                best = candidate
                bestLoad = load
            }
        }
        return best
    }
}
