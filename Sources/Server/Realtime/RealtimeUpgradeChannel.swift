import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import ServiceLifecycle

/// Each accepted connection of the HTTP server: HTTP/1 for the API, or, for an upgrade the
/// endpoint accepts, a WebSocket served by ``RealtimeSocketHandler`` and its
/// ``RealtimeSession``.
///
/// hummingbird-websocket's upgrade channel runs every socket as a task (the handler, its read
/// loop and an auto-ping task, ~20 KiB of suspended frames per idle socket). Here the upgraded
/// pipeline is event-driven and the connection's task only waits for the channel to close,
/// so it can close the socket on graceful shutdown. The HTTP/1 side is Hummingbird's own
/// (`handleHTTP`).
struct RealtimeUpgradeChannel: ServerChildChannel, HTTPChannelHandler {
    /// What `decide` makes of an upgrade request.
    enum Decision: Sendable {
        case upgrade(RealtimeSession)
        /// Answered with this error's status and the contract's body, then closed.
        case refuse(APIError)
    }

    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, APIError)
        case webSocket
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    /// Hummingbird's defaults, read once rather than per connection.
    static let headerLimits = HTTP1Channel.Configuration().httpDecoder

    let responder: HTTPChannelHandler.Responder
    let maxFrameBytes: Int
    let pingInterval: TimeAmount
    let decide: @Sendable (HTTPRequest, any Channel, Logger) async -> Decision

    init(
        responder: @escaping HTTPChannelHandler.Responder,
        maxFrameBytes: Int,
        pingInterval: TimeAmount,
        decide: @escaping @Sendable (HTTPRequest, any Channel, Logger) async -> Decision
    ) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.maxFrameBytes = maxFrameBytes
        self.pingInterval = pingInterval
        self.decide = decide
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let decision = NIOLoopBoundBox<Decision?>(nil, eventLoop: channel.eventLoop)
            let decide = self.decide
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: maxFrameBytes,
                shouldUpgrade: { channel, head in
                    let request: HTTPRequest
                    do {
                        request = try HTTPRequest(head, secure: false, splitCookie: false)
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                    let decided = channel.eventLoop.makePromise(of: Decision.self)
                    decided.completeWithTask { await decide(request, channel, logger) }
                    return decided.futureResult.map { outcome in
                        decision.value = outcome
                        guard case .upgrade = outcome else { return nil }
                        return HTTPHeaders()
                    }
                },
                upgradePipelineHandler: { [maxFrameBytes, pingInterval] channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .upgrade(let session)? = decision.value else { throw ChannelError.inappropriateOperationForState }
                        try channel.pipeline.syncOperations.addHandlers([
                            NIOWebSocketFrameAggregator(
                                minNonFinalFragmentSize: 0,
                                maxAccumulatedFrameCount: 64,
                                maxAccumulatedFrameSize: maxFrameBytes
                            ),
                            RealtimeSocketHandler(session: session, pingInterval: pingInterval),
                        ])
                        return .webSocket
                    }
                }
            )
            let http = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        if case .refuse(let error)? = decision.value { return .refused(asyncChannel, error) }
                        return .http(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: http)
            // As Hummingbird configures its own HTTP/1 channel: it pipelines and validates itself.
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            // Hummingbird's limits on request headers (NIO alone allows 65,534 fields).
            configuration.decoderConfiguration.maxHeaderFieldSize = Self.headerLimits.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = Self.headerLimits.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = Self.headerLimits.maxHeaderFieldCount
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let error):
                await Self.answer(error, on: http, logger: logger)
            case .webSocket:
                // Not the socket's work (that is event-driven): the server's graceful shutdown
                // reaches sockets through this wait.
                let channel = value.channel
                await withGracefulShutdownHandler {
                    try? await channel.closeFuture.get()
                } onGracefulShutdown: {
                    channel.triggerUserOutboundEvent(
                        SocketCloseRequest(code: .normalClosure, reason: "server shutting down", grace: RealtimeSession.closeGrace),
                        promise: nil
                    )
                }
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("connection closed before its first request")
        } catch {
            logger.debug("connection setup failed", metadata: ["error": "\(error)"])
        }
    }

    /// A refused upgrade: the error's status, headers (``APIError/headerFields``) and the
    /// contract's JSON body, then the connection closes (the client asked for a WebSocket, not
    /// for more HTTP on this connection).
    static func answer(_ error: APIError, on http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger) async {
        let body = ByteBuffer(string: error.body.serialized)
        var headers = error.headerFields
        headers[.connection] = "close"
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.readableBytes)
        do {
            try await http.executeThenClose { _, outbound in
                try await outbound.write(
                    contentsOf: [.head(HTTPResponse(status: .init(code: error.status), headerFields: headers)), .body(body), .end(nil)]
                )
            }
        } catch {
            logger.trace("could not answer a refused upgrade", metadata: ["error": "\(error)"])
        }
    }

    /// NIO only upgrades on a connection's first request. A later request on a kept-alive
    /// connection that asks for a WebSocket is sent back to the same URI with the connection
    /// closed, so the client retries on a fresh one (as Hummingbird's own upgrade channel does).
    static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct RedirectedUpgrade: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let target = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: target]))
            throw RedirectedUpgrade()
        }
    }
}
