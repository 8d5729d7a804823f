import Hummingbird
import HummingbirdCore
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
        let endpoint = self
        return HTTPServerBuilder { responder in
            RealtimeUpgradeChannel(
                responder: responder,
                maxFrameBytes: endpoint.limits.maxFrameBytes,
                pingInterval: .milliseconds(Int64(endpoint.limits.pingIntervalMs))
            ) { head, channel, logger in
                await endpoint.decide(head, channel: channel, logger: logger)
            }
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

    /// Whether an upgrade request gets its WebSocket, and its session when it does.
    func decide(_ head: HTTPRequest, channel: any Channel, logger: Logger) async -> RealtimeUpgradeChannel.Decision {
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        let upgrades = metrics
        guard request.uri.path == Self.path else {
            upgrades.wsUpgrades("refused").increment()
            return .refuse(.notFound)
        }
        if let problem = UpgradeHandshake.problem(head.headerFields) {
            return .refuse(APIError(status: 400, code: "bad_request", message: problem))
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
            return .refuse(refusal)
        }
        upgrades.wsUpgrades("upgraded").increment()
        return .upgrade(
            RealtimeSession(
                actor: actor,
                credential: .init(token: Authenticator.bearerToken(request) ?? "", address: address, authenticator: authenticator),
                hub: hub,
                requests: requests,
                metrics: metrics,
                limits: limits,
                channel: channel
            )
        )
    }
}
