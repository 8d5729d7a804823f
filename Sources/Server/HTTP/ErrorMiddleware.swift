import Hummingbird
import Logging
import PostgresClient

/// Turns every thrown error into the contract's envelope. Client mistakes arrive here as
/// `APIError`; dependency outages become 503 `unavailable`; anything else is our fault, is
/// logged, and is answered 500 without details (never SQL text or a stack trace).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, logger: context.logger)
        }
    }

    static func response(for error: Error, logger: Logger) -> Response {
        let apiError: APIError
        switch error {
        case let error as APIError:
            apiError = error
        case let error as CommandError:
            apiError = APIError(error)
        case let error as HTTPError where error.status == .notFound:
            apiError = .notFound
        case let error as HTTPError where error.status == .contentTooLarge:
            apiError = .payloadTooLarge
        case let error as HTTPError where error.status == .methodNotAllowed:
            apiError = APIError(status: 405, code: "method_not_allowed", message: "method not allowed")
        case let error as PostgresError where error.isConnectionError:
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            apiError = .unavailable
        case let error as PostgresError:
            if case .poolTimeout = error {
                logger.warning("pool acquire timeout", metadata: ["error": "\(error)"])
                apiError = .unavailable
            } else {
                logger.error("database error", metadata: ["error": "\(error)", "detail": "\(String(reflecting: error))"])
                apiError = APIError(status: 500, code: "internal", message: "internal error")
            }
        default:
            logger.error("unhandled error", metadata: ["error": "\(error)"])
            apiError = APIError(status: 500, code: "internal", message: "internal error")
        }
        var headers = HTTPFields()
        if let retry = apiError.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        return .json(apiError.body, status: .init(code: apiError.status), headers: headers)
    }
}
