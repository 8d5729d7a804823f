import NIOCore
import NIOWebSocket
import Prometheus

/// Writes a connection's text frames straight onto its NIO channel, without a task or a queue
/// of its own: each write is handed to the channel's event loop (`execute` always enqueues, so
/// callers may hold a lock, and frames go out in the order they were handed over). The
/// completion runs once the socket has taken the frame (or the write failed: the connection is
/// gone), and records `ws_messages_total{direction="out"}` and `ws_delivery_lag_seconds`.
///
/// Control frames (ping, pong, close) are the socket's handler's (``RealtimeSocketHandler``),
/// which these writes pass through: it refuses any that would follow its close frame.
struct FrameWriter: Sendable {
    let channel: any Channel
    /// Looked up once per socket, not per frame (each lookup locks the registry).
    private let sent: Counter
    private let lag: DurationHistogram

    init(channel: any Channel, metrics: ServerMetrics) {
        self.channel = channel
        self.sent = metrics.wsMessages("out")
        self.lag = metrics.wsDeliveryLag
    }

    func write(_ frame: OutgoingFrame, completion: @escaping @Sendable () -> Void) {
        let (channel, sent, lag) = (self.channel, self.sent, self.lag)
        channel.eventLoop.execute {
            let data = channel.allocator.buffer(string: frame.text)
            let promise = channel.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { result in
                completion()
                guard case .success = result else { return }
                sent.increment()
                if let published = frame.publishedAtNs, published > 0 {
                    lag.record(.nanoseconds(max(0, WallClock.nanoseconds() - published)))
                }
            }
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: data), promise: promise)
        }
    }
}
