import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import Scenarios

/// The latency relay against a local echo server: bytes pass unchanged and in order, and a
/// round trip through it costs at least twice the configured one-way delay.
@Suite struct LatencyRelayTests {
    /// Echoes everything back.
    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// Collects what a client receives, with the time the first byte arrived.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])
        let firstArrival = Mutex<ContinuousClock.Instant?>(nil)
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            firstArrival.withLock { $0 = $0 ?? .now }
            received.withLock { $0 += bytes }
        }
    }

    /// Set from another thread (a class, so escaping closures share it).
    final class Flag: Sendable {
        let raised = Mutex(false)
    }

    static func echoServer() async throws -> Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo()) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    static func client(port: Int, collector: Collector) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
    }

    @Test func bytesPassUnchangedAndInOrderDespiteJitter() async throws {
        let echo = try await Self.echoServer()
        let relay = try await LatencyRelay.start(
            .init(targetPort: try #require(echo.localAddress?.port), delay: .milliseconds(1), jitter: .milliseconds(3))
        )
        let collector = Collector()
        let client = try await Self.client(port: relay.port, collector: collector)
        // 200 small writes whose jittered release times would reorder them if the relay let them.
        var sent: [UInt8] = []
        for chunk in 0..<200 {
            let bytes = (0..<37).map { UInt8(truncatingIfNeeded: chunk &* 31 &+ $0) }
            sent += bytes
            try await client.writeAndFlush(ByteBuffer(bytes: bytes))
        }
        let expected = sent
        try await eventually("all \(expected.count) bytes echoed back") { collector.received.withLock { $0.count } >= expected.count }
        #expect(collector.received.withLock { $0 } == expected)
        try await client.close()
        await relay.close()
        try await echo.close()
    }

    @Test func aRoundTripCostsAtLeastTwiceTheDelay() async throws {
        let echo = try await Self.echoServer()
        let relay = try await LatencyRelay.start(.init(targetPort: try #require(echo.localAddress?.port), delay: .milliseconds(25)))
        let collector = Collector()
        let client = try await Self.client(port: relay.port, collector: collector)
        let sentAt = ContinuousClock.now
        try await client.writeAndFlush(ByteBuffer(bytes: Array("ping".utf8)))
        try await eventually("the echo") { collector.received.withLock { $0.count } >= 4 }
        let roundTrip = try #require(collector.firstArrival.withLock { $0 }) - sentAt
        #expect(roundTrip >= .milliseconds(50), "round trip \(roundTrip)")
        #expect(collector.received.withLock { $0 } == Array("ping".utf8))
        try await client.close()
        await relay.close()
        try await echo.close()
    }

    @Test func aClosedClientClosesTheTargetSide() async throws {
        let closed = Flag()
        let echo = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.closeFuture.whenComplete { _ in closed.raised.withLock { $0 = true } }
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo()) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let relay = try await LatencyRelay.start(.init(targetPort: try #require(echo.localAddress?.port), delay: .milliseconds(2)))
        let collector = Collector()
        let client = try await Self.client(port: relay.port, collector: collector)
        try await client.writeAndFlush(ByteBuffer(bytes: [1, 2, 3]))
        try await eventually("the echo") { collector.received.withLock { $0.count } >= 3 }
        try await client.close()
        try await eventually("the target side closed") { closed.raised.withLock { $0 } }
        await relay.close()
        try await echo.close()
    }
}
