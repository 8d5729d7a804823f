import NIOCore

/// Forwards what one side of a relayed connection reads to the other side, each chunk held
/// back by `delay` plus a random share of `jitter`. Release times never go backwards, so bytes
/// leave in the order they arrived (jitter stretches gaps, it never reorders). When the source
/// closes, the peer is closed after the last held chunk has been written.
///
/// Lives on one event loop with its peer channel (the relay connects the outbound side on the
/// inbound side's loop), so it needs no locks.
final class DelayedForwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let delay: TimeAmount
    private let jitter: TimeAmount
    private var peer: Channel?
    private var held: [(due: NIODeadline, bytes: ByteBuffer)] = []
    private var head = 0
    private var lastDue = NIODeadline.uptimeNanoseconds(0)
    private var timerArmed = false
    private var sourceClosed = false

    init(delay: TimeAmount, jitter: TimeAmount) {
        self.delay = delay
        self.jitter = jitter
    }

    /// The channel this side's bytes go to; what arrived before is released from now on.
    func connect(to peer: Channel, loop: EventLoop) {
        self.peer = peer
        arm(loop)
        if sourceClosed, pending == 0 { peer.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let extra = jitter.nanoseconds > 0 ? TimeAmount.nanoseconds(Int64.random(in: 0...jitter.nanoseconds)) : .zero
        let due = max(NIODeadline.now() + delay + extra, lastDue)
        lastDue = due
        held.append((due, bytes))
        arm(context.eventLoop)
    }

    func channelInactive(context: ChannelHandlerContext) {
        sourceClosed = true
        if pending == 0 { peer?.close(promise: nil) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private var pending: Int { held.count - head }

    private func arm(_ loop: EventLoop) {
        guard peer != nil, !timerArmed, head < held.count else { return }
        timerArmed = true
        loop.assumeIsolated().scheduleTask(deadline: held[head].due) { [self] in
            timerArmed = false
            release(loop)
        }
    }

    /// Writes every chunk that is due, in order, then re-arms for the next one.
    private func release(_ loop: EventLoop) {
        let now = NIODeadline.now()
        var wrote = false
        while head < held.count, held[head].due <= now {
            peer?.write(held[head].bytes, promise: nil)
            head += 1
            wrote = true
        }
        if wrote { peer?.flush() }
        if head == held.count {
            held.removeAll(keepingCapacity: true)
            head = 0
            if sourceClosed { peer?.close(promise: nil) }
        } else if head > 1024 {
            held.removeFirst(head)
            head = 0
        }
        arm(loop)
    }
}
