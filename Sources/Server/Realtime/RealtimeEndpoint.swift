import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// `/ws`: the HTTP/1 server with WebSocket upgrade, authenticated at the upgrade.
///
/// The token comes from `Authorization: Bearer` or `?token=` (browsers can't set headers on a
/// WebSocket). A missing or bad token is refused before the upgrade with `401` and the
/// contract's error body; an upgrade to any other path is `404`.
struct RealtimeEndpoint: Sendable {
    static let path = "/ws"

    let authenticator: Authenticator
    let hub: RealtimeHub
    let requests: RequestStore
    let metrics: ServerMetrics
    let limits: ServerConfiguration.Realtime

    /// The server for `Application(server:)`: plain HTTP/1 for the API, WebSocket on `/ws`.
    var server: HTTPServerBuilder {
        let realtime = limits
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: realtime.maxFrameBytes,
            autoPing: .enabled(timePeriod: .milliseconds(realtime.pingIntervalMs)),
            closeTimeout: .seconds(5)
        )
        let endpoint = self
        return .http1WebSocketUpgrade(configuration: .init(http1: .init(), ws: webSocket)) { head, channel, logger in
            await endpoint.shouldUpgrade(head, channel: channel, logger: logger)
        }
    }

    /// `GET /ws` without an upgrade: the same 401 for a bad token, else 426.
    func register(on router: Router<ExchangeContext>) {
        router.get("/ws") { request, context -> Response in
            _ = try await authenticate(request, from: context.clientAddress)
            let error = APIError(status: 426, code: "upgrade_required", message: "open a WebSocket on /ws")
            return .json(error.body, status: .upgradeRequired, headers: [.upgrade: "websocket"])
        }
    }

    /// The caller, from `Authorization: Bearer` or `?token=`.
    func authenticate(_ request: Request, from address: String) async throws -> Actor {
        guard let token = Authenticator.bearerToken(request) else { throw APIError.unauthorized }
        return try await authenticator.actor(token: token, from: address)
    }

    func shouldUpgrade(
        _ head: HTTPRequest,
        channel: any Channel,
        logger: Logger
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        let upgrades = metrics
        guard request.uri.path == Self.path else {
            upgrades.wsUpgrades("refused").increment()
            await UpgradeRefusalHandler.install(.notFound, on: channel)
            return .dontUpgrade
        }
        if let problem = UpgradeHandshake.problem(head.headerFields) {
            await UpgradeRefusalHandler.install(APIError(status: 400, code: "bad_request", message: problem), on: channel)
            return .dontUpgrade
        }
        let actor: Actor
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        do {
            actor = try await authenticate(request, from: address)
        } catch {
            // The same answer an API route gives for the same error (a limit is 429, Redis down
            // 503). `ws_upgrades_total` feeds the availability SLI: 5xx refusals count against it.
            let refusal = ErrorMiddleware.apiError(for: error, logger: logger)
            upgrades.wsUpgrades(refusal.status >= 500 ? "failed" : "refused").increment()
            await UpgradeRefusalHandler.install(refusal, on: channel)
            return .dontUpgrade
        }
        upgrades.wsUpgrades("upgraded").increment()
        let session = RealtimeSession(
            actor: actor,
            credential: .init(token: Authenticator.bearerToken(request) ?? "", address: address, authenticator: authenticator),
            hub: hub,
            requests: requests,
            metrics: metrics,
            limits: limits,
            channel: channel
        )
        let handler: WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context> = { inbound, outbound, context in
            await session.run(inbound: inbound, outbound: outbound, logger: context.logger)
        }
        return .upgrade([:], handler)
    }
}
