import Hummingbird

/// Records `http_server_request_duration_seconds{method,route,status}` with the route
/// template (`/api/requests/:id/claim`), never the raw path, so label values stay bounded.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorMiddleware.response(for: error, logger: context.logger)
        }
        let route = Self.template(context.endpointPath)
        metrics.httpDuration(method: request.method.rawValue, route: route, status: response.status.code)
            .record(ContinuousClock.now - start)
        return response
    }

    /// Hummingbird prints parameters as `{id}`; the contract spells them `:id`.
    static func template(_ endpoint: String?) -> String {
        guard let endpoint else { return "unmatched" }
        return endpoint.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
    }
}
