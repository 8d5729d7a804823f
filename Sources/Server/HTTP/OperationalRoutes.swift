import Foundation
import Hummingbird
import NIOCore
import WireJSON

/// `/health`, `/ready`, `/metrics`, `/openapi.yaml`.
struct OperationalRoutes: Sendable {
    let readiness: Readiness
    let database: Database
    let metrics: ServerMetrics

    func register(on router: Router<ExchangeContext>) {
        router.get("/health") { _, _ in Response.json(.object([("status", "ok")])) }
        router.get("/ready") { _, _ in await ready() }
        router.get("/metrics") { _, _ in scrape() }
        router.get("/openapi.yaml") { _, _ in openAPI() }
    }

    /// 200 `ok` when everything answers, 200 `degraded` when only Redis or the replica is down
    /// (transitions still commit), 503 `unavailable` when the primary is down. Answers from the
    /// background check's latest result (at most 10 s old), on the checker's own connections.
    func ready() async -> Response {
        let checks = await readiness.current()
        let status: String
        if !checks.postgres { status = "unavailable" } else if checks.replica && checks.redis { status = "ok" } else { status = "degraded" }
        func word(_ ok: Bool) -> JSON { .string(ok ? "ok" : "down") }
        return .json(
            .object([
                ("status", .string(status)),
                ("checks", .object([("postgres", word(checks.postgres)), ("replica", word(checks.replica)), ("redis", word(checks.redis))])),
            ]),
            status: checks.postgres ? .ok : .serviceUnavailable
        )
    }

    func scrape() -> Response {
        MetricsEndpoint.response(database: database, metrics: metrics)
    }

    func openAPI() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
}
