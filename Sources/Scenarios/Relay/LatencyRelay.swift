import NIOCore
import NIOPosix

/// A TCP relay that adds network distance on loopback (this kernel has no `netem`): every
/// accepted connection is paired with a new connection to the target, and each direction's
/// bytes are delayed by `delay` (+ up to `jitter`), order preserved (``DelayedForwarder``).
/// A round trip through the relay therefore costs at least `2 × delay` more.
///
/// `scenarios relay --listen 127.0.0.1:55442 --target 127.0.0.1:55432 --delay-ms 0.5` runs
/// one; a matrix cell with `dbRttMs` starts one per database server (docs/lab.md "Topology").
public final class LatencyRelay: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var listenHost = "127.0.0.1"
        /// 0 picks a free port (see ``LatencyRelay/port``).
        public var listenPort = 0
        public var targetHost = "127.0.0.1"
        public var targetPort: Int
        /// Added to each direction. Defaults to 0.
        public var delay: Duration = .zero
        /// Each chunk waits a further uniform 0…`jitter`. Defaults to 0.
        public var jitter: Duration = .zero

        public init(
            listenHost: String = "127.0.0.1",
            listenPort: Int = 0,
            targetHost: String = "127.0.0.1",
            targetPort: Int,
            delay: Duration = .zero,
            jitter: Duration = .zero
        ) {
            self.listenHost = listenHost
            self.listenPort = listenPort
            self.targetHost = targetHost
            self.targetPort = targetPort
            self.delay = delay
            self.jitter = jitter
        }
    }

    public let configuration: Configuration
    let channel: Channel

    /// The port the relay listens on.
    public var port: Int { channel.localAddress?.port ?? configuration.listenPort }

    private init(configuration: Configuration, channel: Channel) {
        self.configuration = configuration
        self.channel = channel
    }

    /// Binds the listening socket; connections are relayed until ``close()``.
    public static func start(_ configuration: Configuration, group: MultiThreadedEventLoopGroup = .singleton) async throws -> LatencyRelay {
        let delay = TimeAmount(configuration.delay)
        let jitter = TimeAmount(configuration.jitter)
        let target = configuration
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture {
                    // What the client sends before the target answers is held until it does.
                    let toTarget = DelayedForwarder(delay: delay, jitter: jitter)
                    try inbound.pipeline.syncOperations.addHandler(toTarget)
                    let bound = NIOLoopBound(toTarget, eventLoop: inbound.eventLoop)
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .channelInitializer { outbound in
                            outbound.eventLoop.makeCompletedFuture {
                                let toClient = DelayedForwarder(delay: delay, jitter: jitter)
                                toClient.connect(to: inbound, loop: inbound.eventLoop)
                                try outbound.pipeline.syncOperations.addHandler(toClient)
                            }
                        }
                        .connect(host: target.targetHost, port: target.targetPort)
                        .whenComplete { result in
                            switch result {
                            case .success(let outbound): bound.value.connect(to: outbound, loop: inbound.eventLoop)
                            case .failure: inbound.close(promise: nil)
                            }
                        }
                }
            }
            .bind(host: configuration.listenHost, port: configuration.listenPort)
            .get()
        return LatencyRelay(configuration: configuration, channel: channel)
    }

    /// Stops accepting (connections already relayed close when either end does).
    public func close() async {
        try? await channel.close()
    }

    /// Runs until the listening socket is closed.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
