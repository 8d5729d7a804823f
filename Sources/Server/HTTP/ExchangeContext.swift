import Hummingbird
import NIOCore
import WireJSON

/// Per-request context: Hummingbird's core storage plus the caller, set by
/// ``AuthenticationMiddleware`` on the `/api` routes that need one.
public struct ExchangeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var actor: Actor?
    /// The peer's IP address (per-address limits). The server binds loopback by default; a
    /// deployment behind a proxy sees the proxy's address (docs/deploy.md).
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.actor = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension Response {
    /// A JSON response with the contract's content type.
    static func json(_ body: JSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
    }
}
