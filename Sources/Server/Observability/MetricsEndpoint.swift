import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `GET /metrics` as a response, and the small HTTP server that serves it (with `/health`) from
/// processes without the API: `exchange-server worker --metrics-port N`.
public enum MetricsEndpoint {
    /// Refreshes the values read at scrape time, then renders Prometheus text 0.0.4.
    static func response(database: Database, metrics: ServerMetrics) -> Response {
        database.updatePoolGauges()
        metrics.updateProcessGauges()
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.prometheus.emitToBuffer())))
    }

    /// An HTTP server on `host:port` (port 0: any free port) with `GET /metrics` and
    /// `GET /health`; `onRunning` gets the bound port.
    public static func server(
        database: Database,
        metrics: ServerMetrics,
        logger: Logger,
        host: String,
        port: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> any Service {
        let router = Router()
        router.get("/metrics") { _, _ in response(database: database, metrics: metrics) }
        router.get("/health") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))) }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "exchange-worker"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
