import NIOCore
import NIOPosix
import Synchronization

/// The shared Redis client: `poolSize` multiplexed, pipelining ``RedisChannelConnection``s
/// spread over the event loops; each command goes to the least-loaded one on the caller's own
/// event loop when there is one (no thread hop), else to the least-loaded one (round-robin
/// among equals).
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
    private let connections: [RedisChannelConnection]
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
    public init(
        configuration: RedisConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = NIOSingletons.posixEventLoopGroup,
        onCommand: RedisCommandObserver? = nil
    ) {
        self.configuration = configuration
        self.observer = onCommand
        self.connections = (1...max(1, configuration.poolSize)).map { _ in
            RedisChannelConnection(configuration: configuration, eventLoop: eventLoopGroup.next(), onCommand: onCommand)
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
        for connection in connections {
            await connection.close()
        }
        for connection in open {
            await connection.close()
        }
    }

    func leastLoaded() -> RedisChannelConnection {
        let count = UInt(connections.count)
        let start = next.add(1, ordering: .relaxed).oldValue % count
        var best = connections[Int(start)]
        var bestCost = Self.cost(best)
        for offset in 1..<connections.count where bestCost > 0 {
            let candidate = connections[Int((start + UInt(offset)) % count)]
            let cost = Self.cost(candidate)
            if cost < bestCost {
                best = candidate
                bestCost = cost
            }
        }
        return best
    }

    /// A connection on another event loop costs a hop there and back: it is chosen only when
    /// every local one is busier by more than a whole pipeline's worth.
    private static func cost(_ connection: RedisChannelConnection) -> Int {
        connection.inFlight + (connection.eventLoop.inEventLoop ? 0 : 1_000)
    }
}
