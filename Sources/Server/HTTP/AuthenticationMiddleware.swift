import Hummingbird

/// Authenticates every route of the `/api` group it is added to: resolves the bearer token
/// to the caller and sets ``ExchangeContext/actor``, or answers 401 before any handler runs.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext

    let authenticator: Authenticator

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        var context = context
        context.actor = try await authenticator.actor(for: request, from: context.clientAddress)
        return try await next(request, context)
    }
}

extension ExchangeContext {
    /// The caller, set by ``AuthenticationMiddleware``; 401 on a route it doesn't guard.
    func authenticatedActor() throws -> Actor {
        guard let actor else { throw APIError.unauthorized }
        return actor
    }
}
