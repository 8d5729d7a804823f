import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Server

/// The WebSocket protocol of a `/ws` socket (pings, the close handshake, frames after a close)
/// on NIO's embedded channel: no socket, no clock but the loop's own. The behaviour through a
/// real server and client is in `RealtimeWebSocketTests`.
@Suite struct RealtimeSocketHandlerTests {
    static let interval = TimeAmount.milliseconds(200)

    /// An open socket whose handler is in place: the session behind it is never asked for
    /// anything these tests send (no text frames), so its services are never reached.
    struct Socket {
        let channel: EmbeddedChannel

        init(services: ExchangeServices) throws {
            channel = EmbeddedChannel()
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            let session = RealtimeSession(
                actor: Actor(id: "user", role: .user),
                credential: .init(token: "token", address: "127.0.0.1", authenticator: services.authenticator),
                hub: services.realtime,
                requests: services.requests,
                metrics: services.metrics,
                limits: services.configuration.realtime,
                channel: channel
            )
            try channel.pipeline.syncOperations.addHandler(RealtimeSocketHandler(session: session, pingInterval: RealtimeSocketHandlerTests.interval))
        }

        func send(_ opcode: WebSocketOpcode, _ payload: ByteBuffer = ByteBuffer()) throws {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: opcode, data: payload))
        }

        /// The frames the server wrote since the last call.
        func written() throws -> [WebSocketFrame] {
            var frames: [WebSocketFrame] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
            return frames
        }

        func closeCode(_ frame: WebSocketFrame) -> WebSocketErrorCode? {
            var data = frame.data
            return data.readWebSocketErrorCode()
        }

        var isOpen: Bool { channel.isActive }

        /// A socket for `body`; the services behind it are closed afterwards.
        static func with(_ body: (Socket) throws -> Void) async throws {
            var logger = Logger(label: "socket-handler-test")
            logger.logLevel = .critical
            let services = try ExchangeServices(configuration: TestExchange.configuration(), logger: logger)
            // The embedded loop belongs to this thread: the socket is used and released before
            // the first suspension.
            let result = Result {
                let socket = try Socket(services: services)
                defer { _ = try? socket.channel.finish(acceptAlreadyClosed: true) }
                try body(socket)
            }
            await services.close()
            try result.get()
        }
    }

    static func code(_ raw: UInt16) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(raw)
        return buffer
    }

    @Test func answersAPingWithItsPayload() async throws {
        try await Socket.with { socket in
            try socket.send(.ping, ByteBuffer(string: "are you there"))
            let answer = try #require(try socket.written().first)
            #expect(answer.opcode == .pong)
            #expect(answer.data == ByteBuffer(string: "are you there"))
        }
    }

    @Test func pingsEveryIntervalAndDropsAPeerThatLeftOneUnanswered() async throws {
        try await Socket.with { socket in
            socket.channel.embeddedEventLoop.advanceTime(by: Self.interval)
            let first = try #require(try socket.written().first)
            #expect(first.opcode == .ping)
            try socket.send(.pong, first.data)
            socket.channel.embeddedEventLoop.advanceTime(by: Self.interval)
            let second = try #require(try socket.written().first)
            #expect(second.opcode == .ping)
            #expect(socket.isOpen, "the first ping was answered")
            // The second goes unanswered: the next tick closes with 1001.
            socket.channel.embeddedEventLoop.advanceTime(by: Self.interval)
            let close = try #require(try socket.written().first)
            #expect(close.opcode == .connectionClose)
            #expect(socket.closeCode(close) == .goingAway)
            socket.channel.embeddedEventLoop.run()
            #expect(!socket.isOpen)
        }
    }

    @Test(arguments: [
        (UInt16?.none, WebSocketErrorCode.normalClosure), (1000, .normalClosure), (4001, .normalClosure), (1005, .protocolError),
        (5000, .protocolError),
    ])
    func answersTheClientsCloseAndCloses(sent: UInt16?, answer: WebSocketErrorCode) async throws {
        try await Socket.with { socket in
            try socket.send(.connectionClose, sent.map(Self.code) ?? ByteBuffer())
            let close = try #require(try socket.written().first)
            #expect(close.opcode == .connectionClose)
            #expect(socket.closeCode(close) == answer)
            socket.channel.embeddedEventLoop.run()
            #expect(!socket.isOpen)
        }
    }

    @Test func aCloseRequestSendsItsCodeRefusesLaterFramesAndWaitsOutTheGrace() async throws {
        try await Socket.with { socket in
            let request = SocketCloseRequest(code: .unknown(4001), reason: "session expired or revoked", grace: .seconds(5))
            socket.channel.triggerUserOutboundEvent(request, promise: nil)
            let close = try #require(try socket.written().first)
            #expect(socket.closeCode(close) == .unknown(4001))
            // An event after our close frame is not sent.
            let late = socket.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "{}")))
            #expect(throws: ChannelError.self) { try late.wait() }
            #expect(try socket.written().isEmpty)
            // The client never answers: the connection is dropped after the grace.
            socket.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            #expect(socket.isOpen)
            socket.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            #expect(!socket.isOpen)
        }
    }

    @Test func theClientsAnswerCompletesAServerClose() async throws {
        try await Socket.with { socket in
            socket.channel.triggerUserOutboundEvent(
                SocketCloseRequest(code: .policyViolation, reason: "slow consumer", grace: .seconds(1)),
                promise: nil
            )
            _ = try socket.written()
            try socket.send(.connectionClose, Self.code(1008))
            socket.channel.embeddedEventLoop.run()
            #expect(!socket.isOpen)
            #expect(try socket.written().isEmpty, "a close answers a close only once")
        }
    }

    @Test func aFragmentedPingIsAProtocolError() async throws {
        try await Socket.with { socket in
            try socket.channel.writeInbound(WebSocketFrame(fin: false, opcode: .ping, data: ByteBuffer()))
            let close = try #require(try socket.written().first)
            #expect(socket.closeCode(close) == .protocolError)
        }
    }

    /// Fragments that add up to more than `realtime.maxFrameBytes` close with 1009; a frame the
    /// decoder refused was answered by NIO's protocol error handler, so no second close frame.
    @Test func oversizedMessagesCloseWith1009Once() async throws {
        try await Socket.with { socket in
            socket.channel.pipeline.fireErrorCaught(NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge)
            let close = try #require(try socket.written().first)
            #expect(socket.closeCode(close) == .messageTooLarge)
        }
        try await Socket.with { socket throws in
            socket.channel.pipeline.fireErrorCaught(NIOWebSocketError.invalidFrameLength)
            #expect(try socket.written().isEmpty)
        }
    }

    @Test func aHalfClosedSocketIsClosed() async throws {
        try await Socket.with { socket in
            socket.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            socket.channel.embeddedEventLoop.run()
            #expect(!socket.isOpen)
        }
    }
}
