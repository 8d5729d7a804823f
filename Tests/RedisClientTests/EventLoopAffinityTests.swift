import NIOCore
import NIOPosix
import Testing

@testable import RedisClient

/// The shared pool's connections live on the event loops; a command from a task on one of
/// them goes to a connection on that same loop, so it never waits for another thread.
@Suite struct EventLoopAffinityTests {
    @Test func aCallerOnAnEventLoopGetsAConnectionOnThatLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let redis = RedisClient(configuration: TestRedis.configuration(poolSize: 4), eventLoopGroup: group)
        for loop in group.makeIterator() {
            let chosen = try await loop.submit { redis.leastLoaded().eventLoop === loop }.get()
            #expect(chosen)
        }
        // Connections pinned to this group's loops answer like any other.
        #expect(try await redis.ping() == "PONG")
        await redis.shutdown()
        try await group.shutdownGracefully()
    }
}
