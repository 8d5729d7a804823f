import NIOCore

/// The end of a Redis connection's pipeline: writes commands as RESP and completes each one's
/// promise with its reply, in order (Redis answers a connection's commands in the order sent).
/// Everything here runs on the channel's event loop.
///
/// A command that gets no reply within its timeout (the command timeout, longer for blocking
/// commands) fails with ``RedisError/timeout``, and so does the connection: the replies still
/// owed can no longer be matched to their commands, so every command in flight fails and the
/// channel is closed. The next command reconnects.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RedisValue
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        let reply: EventLoopPromise<RedisValue>
        let deadline: Scheduled<Void>?
    }

    private let endpoint: String
    private var pending = CircularBuffer<Pending>()
    private var context: ChannelHandlerContext?
    /// Set once the connection is unusable: later commands fail with it at once.
    private var failure: RedisError?
    /// A flush is queued behind the commands written in this turn of the event loop.
    private var flushQueued = false

    init(endpoint: String) {
        self.endpoint = endpoint
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(with: .connectionFailed("\(endpoint): connection closed"))
    }

    /// Sends `command`; `reply` completes with its reply (an error reply included: the caller
    /// decides what it means) or fails.
    func send(_ command: RedisCommand, timeout: TimeAmount?, reply: EventLoopPromise<RedisValue>) {
        guard failure == nil, let context, context.channel.isActive else {
            reply.fail(failure ?? RedisError.connectionFailed("\(endpoint): connection closed"))
            return
        }
        let deadline = timeout.map { timeout in
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            return context.eventLoop.scheduleTask(in: timeout) { bound.value.timedOut(reply) }
        }
        pending.append(Pending(reply: reply, deadline: deadline))
        var buffer = context.channel.allocator.buffer(capacity: 64)
        RESPEncoding.write(command.arguments, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
        // Commands sent in the same turn of the loop leave in one write (one segment, one
        // system call): the flush runs after everything already queued on the loop.
        guard !flushQueued else { return }
        flushQueued = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { bound.value.flushQueuedWrites() }
    }

    private func flushQueuedWrites() {
        flushQueued = false
        context?.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let answered = pending.popFirst() else {
            // A reply nobody asked for: the stream is out of step.
            fail(with: .unexpectedReply("reply without a command"))
            context.close(promise: nil)
            return
        }
        answered.deadline?.cancel()
        answered.reply.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(with: .connectionFailed("\(endpoint): connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(with: error as? RedisError ?? .connectionFailed("\(endpoint): \(error)"))
        context.close(promise: nil)
    }

    private func timedOut(_ reply: EventLoopPromise<RedisValue>) {
        // Only if that command is still waiting (its reply may have won the race).
        guard pending.contains(where: { $0.reply.futureResult === reply.futureResult }) else { return }
        fail(with: .timeout)
        context?.close(promise: nil)
    }

    /// Fails every command in flight; the connection takes no more.
    private func fail(with error: RedisError) {
        if failure == nil { failure = error }
        while let waiting = pending.popFirst() {
            waiting.deadline?.cancel()
            waiting.reply.fail(error)
        }
    }
}
