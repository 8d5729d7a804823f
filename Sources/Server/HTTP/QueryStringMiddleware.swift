import Foundation
import Hummingbird

/// Refuses a query string that holds a NUL character (`%00`) anywhere, in a name or a value,
/// with 422 before any route runs: no route can store or compare one, and PostgreSQL rejects
/// it in every text parameter. One check here instead of one per parameter.
struct QueryStringMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, query.range(of: "%00", options: .caseInsensitive) != nil || query.unicodeScalars.contains("\u{0}") {
            throw APIError.validation([("query", "must not contain NUL characters")])
        }
        for (name, value) in request.uri.queryParameters {
            if name.unicodeScalars.contains("\u{0}") || value.unicodeScalars.contains("\u{0}") {
                let field = name.unicodeScalars.contains("\u{0}") ? "query" : String(name)
                throw APIError.validation([(field, "must not contain NUL characters")])
            }
        }
        return try await next(request, context)
    }
}
