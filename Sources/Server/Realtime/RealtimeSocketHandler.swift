import NIOCore
import NIOWebSocket

/// Asks a `/ws` socket to close with `code`: sent down the channel's pipeline as a user
/// outbound event (`channel.triggerUserOutboundEvent`), so any thread holding the channel can
/// ask, and the socket's handler does it on its event loop.
struct SocketCloseRequest: Sendable {
    let code: WebSocketErrorCode
    let reason: String
    /// How long the client gets to answer with its own close frame before the connection is
    /// dropped.
    let grace: TimeAmount
}

/// The WebSocket protocol of one `/ws` connection, driven by its channel's events instead of a
/// task per socket: an idle socket is this handler, its session and NIO's channel, not a
/// suspended task (docs/performance.md "Memory").
///
/// It answers pings, sends its own every `pingInterval` and drops a connection that left the
/// previous one unanswered (a dead peer, or a client that stopped reading), runs the close
/// handshake (RFC 6455 §7) and hands complete text and binary messages to the session. While the
/// session has `RealtimeSession.inboxLimit` messages waiting it stops reading the socket, so a
/// client that floods it is slowed down by TCP rather than buffered.
///
/// Frames arrive whole: `NIOWebSocketFrameAggregator` sits before it and joins fragments up to
/// `realtime.maxFrameBytes`; a frame or message above that closes the connection with 1009.
final class RealtimeSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State {
        case open
        /// Our close frame is out; waiting for the client's, at most the request's grace.
        case closing
        case closed
    }

    private let session: RealtimeSession
    private let pingInterval: TimeAmount
    private var state = State.open
    private var started = false
    private var pinger: RepeatedTask?
    private var closeDeadline: Scheduled<Void>?
    /// The payload of our last ping while its pong is outstanding.
    private var unansweredPing: ByteBuffer?
    /// The session's inbox is full: reads are held until it drains.
    private var inboxFull = false
    private var heldRead = false

    init(session: RealtimeSession, pingInterval: TimeAmount) {
        self.session = session
        self.pingInterval = pingInterval
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        // A connection that closed during the upgrade never starts a session.
        guard context.channel.isActive else { return }
        started = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        session.start { [eventLoop = context.eventLoop] in
            eventLoop.execute { handler.value.inboxDrained(context: loopContext.value) }
        }
        if pingInterval > .zero {
            pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: pingInterval, delay: pingInterval) { _ in
                handler.value.ping(context: loopContext.value)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        pinger?.cancel()
        closeDeadline?.cancel()
        if started {
            started = false
            session.ended()
        }
        context.fireChannelInactive()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            // After our close frame only the client's close frame matters.
            guard case .open = state else { return }
            let message: RealtimeSession.Message = frame.opcode == .text ? .text(String(buffer: frame.unmaskedData)) : .binary
            if !session.receive(message) { inboxFull = true }
        case .ping:
            let payload = frame.unmaskedData
            guard frame.fin, payload.readableBytes <= 125 else { return endWith(context: context, .protocolError) }
            guard case .open = state else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: payload)), promise: nil)
        case .pong:
            if frame.unmaskedData == unansweredPing { unansweredPing = nil }
        case .connectionClose:
            receivedClose(context: context, frame.unmaskedData)
        default:
            // Continuations are joined by the aggregator; anything else is not WebSocket.
            endWith(context: context, .protocolError)
        }
    }

    /// The server accepts half-closed connections (for HTTP); a WebSocket whose client stopped
    /// sending will never answer a ping or send its close frame: it is over.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            state = .closed
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case is NIOWebSocketError:
            // A frame the decoder refused (too large, a fragmented control frame): NIO's protocol
            // error handler, earlier in the pipeline, has sent its close frame and closes.
            state = .closed
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
            endWith(context: context, .messageTooLarge)
        case is NIOWebSocketFrameAggregator.Error:
            endWith(context: context, .protocolError)
        default:
            // The socket itself failed (reset, broken pipe): nothing more can be said on it.
            context.close(promise: nil)
        }
    }

    /// The client's close frame: answered with ours (the same code, or 1002 for one it may not
    /// send), then the connection is closed; or, when we started the handshake, it is complete.
    private func receivedClose(context: ChannelHandlerContext, _ payload: ByteBuffer) {
        switch state {
        case .open:
            endWith(context: context, Self.answer(toClose: payload))
        case .closing:
            state = .closed
            context.channel.close(promise: nil)
        case .closed:
            break
        }
    }

    /// Our answer to a client's close frame: 1000, or 1002 when its code is one a peer may not
    /// send (below 3000 and not a defined code, or above 4999) or its payload is a lone byte.
    static func answer(toClose payload: ByteBuffer) -> WebSocketErrorCode {
        var payload = payload
        guard payload.readableBytes > 0 else { return .normalClosure }
        switch payload.readWebSocketErrorCode() {
        case .none: return .protocolError
        case .unknown(let raw)? where raw < 3000 || raw > 4999: return .protocolError
        case .some: return .normalClosure
        }
    }

    /// Resumes reading once the session has room again.
    private func inboxDrained(context: ChannelHandlerContext) {
        inboxFull = false
        if heldRead {
            heldRead = false
            context.read()
        }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if inboxFull {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// Frames written to the channel by the session (``FrameWriter``) pass here: none may
    /// follow our close frame.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .open = state else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let request = event as? SocketCloseRequest else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        close(context: context, request)
        promise?.succeed(())
    }

    /// Starts the close handshake: our close frame, then up to `grace` for the client's.
    private func close(context: ChannelHandlerContext, _ request: SocketCloseRequest) {
        guard case .open = state else { return }
        state = .closing
        let channel = context.channel
        writeClose(context: context, request.code, reason: request.reason).whenFailure { _ in channel.close(promise: nil) }
        closeDeadline = context.eventLoop.scheduleTask(in: request.grace) { channel.close(promise: nil) }
    }

    /// Our close frame, then the connection ends without waiting for the client's: a broken
    /// protocol, an oversized message, a missed pong, or the answer to the client's close frame.
    private func endWith(context: ChannelHandlerContext, _ code: WebSocketErrorCode, reason: String? = nil) {
        if case .closed = state { return }
        state = .closed
        let channel = context.channel
        writeClose(context: context, code, reason: reason).whenComplete { _ in channel.close(promise: nil) }
    }

    private func ping(context: ChannelHandlerContext) {
        guard case .open = state else { return }
        guard unansweredPing == nil else {
            // No pong for a whole interval: the peer is gone or not reading.
            return endWith(context: context, .goingAway, reason: "ping timeout")
        }
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(UInt64.random(in: 0...UInt64.max))
        unansweredPing = payload
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: payload)), promise: nil)
    }

    private func writeClose(context: ChannelHandlerContext, _ code: WebSocketErrorCode, reason: String?) -> EventLoopFuture<Void> {
        var payload = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        payload.write(webSocketErrorCode: code)
        if let reason { payload.writeString(reason) }
        return context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
    }
}
