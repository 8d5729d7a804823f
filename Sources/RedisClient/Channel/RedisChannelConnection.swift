import NIOCore
import NIOPosix
import Synchronization

/// One Redis connection on a SwiftNIO channel, for the commands that never block server-side
/// (the shared ``RedisClient`` pool): a command is written and its reply read by the event
/// loop the channel lives on. When the caller's task runs on that same loop — the server runs
/// its tasks on NIO's event loops — a command costs no thread hop at all, where a
/// ``RedisConnection`` (hiredis on a thread of its own) costs two context switches each way.
/// Commands that block server-side (`XREADGROUP … BLOCK`) go to a ``RedisConnection``.
///
/// Connects lazily, authenticates, names the connection and selects the database as
/// configured; a failed connection attempt makes the next ones fail fast for a backoff that
/// doubles up to `maxReconnectBackoff`, as a ``RedisConnection`` does.
public final class RedisChannelConnection: RedisCommandExecutor, Sendable {
    /// The configuration this connection uses.
    public let configuration: RedisConfiguration
    /// The loop the channel lives on.
    public let eventLoop: any EventLoop
    private let observer: RedisCommandObserver?
    private let inFlightCount = Atomic<Int>(0)

    private struct Link: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<RedisCommandHandler>
    }

    private struct State {
        var link: Link?
        var connecting: EventLoopFuture<Link>?
        var retryAt: ContinuousClock.Instant?
        var backoff: Duration = .zero
        var lastFailure: RedisError?
        var closed = false
    }

    private let state = Mutex(State())

    /// Creates the connection on `eventLoop`; it connects on its first command.
    public init(configuration: RedisConfiguration, eventLoop: any EventLoop, onCommand: RedisCommandObserver? = nil) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.observer = onCommand
    }

    /// Commands sent and not yet answered.
    public var inFlight: Int {
        inFlightCount.load(ordering: .relaxed)
    }

    public func execute(_ command: RedisCommand) async throws -> RedisValue {
        inFlightCount.add(1, ordering: .relaxed)
        defer { inFlightCount.subtract(1, ordering: .relaxed) }
        let start = ContinuousClock.now
        do {
            let value = try await send(command)
            observer?(command.name, ContinuousClock.now - start, true)
            return value
        } catch {
            observer?(command.name, ContinuousClock.now - start, false)
            throw error
        }
    }

    /// Closes the channel; later commands throw ``RedisError/closed``.
    public func close() async {
        let link = state.withLock { state -> Link? in
            state.closed = true
            defer { state.link = nil }
            return state.link
        }
        try? await link?.channel.close()
    }

    private func send(_ command: RedisCommand) async throws -> RedisValue {
        let link = try await connected()
        let value = try await Self.send(command, on: link, timeout: timeout(for: command))
        if case .error(let message) = value { throw RedisError.commandFailed(message) }
        return value
    }

    private static func send(_ command: RedisCommand, on link: Link, timeout: TimeAmount?) async throws -> RedisValue {
        let loop = link.channel.eventLoop
        let reply = loop.makePromise(of: RedisValue.self)
        if loop.inEventLoop {
            link.handler.value.send(command, timeout: timeout, reply: reply)
        } else {
            loop.execute { link.handler.value.send(command, timeout: timeout, reply: reply) }
        }
        return try await reply.futureResult.get()
    }

    /// The reply timeout: the command timeout, extended for blocking commands.
    private func timeout(for command: RedisCommand) -> TimeAmount? {
        let base = configuration.commandTimeout
        switch command.blocking {
        case .none: return .nanoseconds(base.nanoseconds)
        case .upTo(let block): return .nanoseconds((base + block).nanoseconds)
        case .indefinitely: return nil
        }
    }

    // MARK: Connecting

    private enum Next {
        case ready(Link)
        case wait(EventLoopFuture<Link>)
        case fail(RedisError)
        case connect(EventLoopPromise<Link>)
    }

    private func connected() async throws -> Link {
        let next = state.withLock { state -> Next in
            if state.closed { return .fail(.closed) }
            if let link = state.link, link.channel.isActive { return .ready(link) }
            state.link = nil
            if let connecting = state.connecting { return .wait(connecting) }
            if let retryAt = state.retryAt, ContinuousClock.now < retryAt, let failure = state.lastFailure { return .fail(failure) }
            let promise = eventLoop.makePromise(of: Link.self)
            state.connecting = promise.futureResult
            return .connect(promise)
        }
        switch next {
        case .ready(let link): return link
        case .wait(let future): return try await future.get()
        case .fail(let error): throw error
        case .connect(let promise):
            do {
                let link = try await open()
                let kept = state.withLock { state -> Bool in
                    state.connecting = nil
                    state.backoff = .zero
                    state.retryAt = nil
                    state.lastFailure = nil
                    if !state.closed { state.link = link }
                    return !state.closed
                }
                guard kept else {
                    // Closed while connecting: the new channel is nobody's.
                    link.channel.close(promise: nil)
                    promise.fail(RedisError.closed)
                    throw RedisError.closed
                }
                promise.succeed(link)
                return link
            } catch {
                let failure = error as? RedisError ?? .connectionFailed("\(configuration.endpoint): \(error)")
                state.withLock { state in
                    state.connecting = nil
                    state.backoff = state.backoff == .zero ? ConnectionLink.initialBackoff : min(state.backoff * 2, configuration.maxReconnectBackoff)
                    state.retryAt = ContinuousClock.now + state.backoff
                    state.lastFailure = failure
                }
                promise.fail(failure)
                throw failure
            }
        }
    }

    /// A new channel, set up as configured (authentication, name, database).
    private func open() async throws -> Link {
        let endpoint = configuration.endpoint
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                        try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(endpoint: endpoint))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw RedisError.connectionFailed("\(endpoint): \(Self.reason(error))")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisCommandHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let link = Link(channel: channel, handler: handler)
        do {
            for step in setupSteps() {
                let reply = try await Self.send(RedisCommand(step.arguments), on: link, timeout: timeout(for: RedisCommand(step.arguments)))
                if case .error(let message) = reply { throw RedisError.connectionFailed("\(endpoint): \(step.what) failed: \(message)") }
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return link
    }

    private func setupSteps() -> [(what: String, arguments: [String])] {
        var steps: [(what: String, arguments: [String])] = []
        if let password = configuration.password {
            steps.append(("authentication", configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]))
        }
        if let name = configuration.clientName {
            steps.append(("CLIENT SETNAME", ["CLIENT", "SETNAME", name]))
        }
        if configuration.database != 0 {
            steps.append(("SELECT", ["SELECT", String(configuration.database)]))
        }
        return steps
    }

    /// "Connection refused" rather than NIO's full error description.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return "\(first.error)"
        }
        if error is ChannelError { return "connect timed out" }
        return "\(error)"
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
