import NIOCore
import NIOHTTP1
import WireJSON

/// Gives a refused WebSocket upgrade its real status and the contract's error body.
///
/// hummingbird-websocket answers every refused upgrade (`shouldUpgrade` → `.dontUpgrade`) with
/// an empty `400 Bad Request`, but docs/design.md §5 wants `401` for a missing or bad token. Our
/// `shouldUpgrade` adds this handler to the connection's pipeline before refusing; it sits
/// between the HTTP/1 encoder and the codec hummingbird adds afterwards, so it sees that
/// `400` response go out and rewrites it (status, headers, JSON body). It is only ever in the
/// pipeline of a connection whose upgrade we refused, and that connection closes right after.
final class UpgradeRefusalHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let error: APIError
    private let body: String

    init(_ error: APIError) {
        self.error = error
        self.body = error.body.serialized
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            head.status = HTTPResponseStatus(statusCode: error.status)
            head.headers.replaceOrAdd(name: "content-type", value: "application/json")
            head.headers.replaceOrAdd(name: "content-length", value: String(body.utf8.count))
            if error.status == 401 { head.headers.replaceOrAdd(name: "www-authenticate", value: "Bearer") }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            // The refusal has no body of its own; ours goes out before `end`.
            promise?.succeed(())
        case .end(let trailers):
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        }
    }

    /// Installs the handler on `channel` (from `shouldUpgrade`, before returning `.dontUpgrade`).
    static func install(_ error: APIError, on channel: any Channel) async {
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(UpgradeRefusalHandler(error))
        }.get()
    }
}
