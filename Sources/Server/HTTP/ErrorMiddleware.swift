import Hummingbird
import Logging
import PostgresClient
import RedisClient

/// Turns every thrown error into the contract's envelope. Client mistakes arrive here as
/// `APIError`; dependency outages and transient database conditions become 503 `unavailable`
/// with `Retry-After`; anything else is our fault, is logged, and is answered 500 without
/// details (never SQL text or a stack trace).
///
/// Logs name a database failure by SQLSTATE and statement name only: PostgreSQL's message
/// text can quote row values (a phone number in a unique violation), so it is never logged.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, logger: context.logger)
        }
    }

    static func apiError(for error: Error, logger: Logger) -> APIError {
        let retryLater = APIError.unavailable
        switch error {
        case let error as APIError:
            return error
        case let error as CommandError:
            return APIError(error)
        case let error as HTTPError where error.status == .notFound:
            return .notFound
        case let error as HTTPError where error.status == .contentTooLarge:
            return .payloadTooLarge
        case let error as HTTPError where error.status == .methodNotAllowed:
            return APIError(status: 405, code: "method_not_allowed", message: "method not allowed")
        case let error as PostgresError where error.isConnectionError || error.isPoolTimeout:
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return retryLater
        case let error as PostgresError where error.isTransient:
            logger.warning("transient database error", metadata: Self.metadata(error))
            return retryLater
        case let error as PostgresError:
            logger.error("database error", metadata: Self.metadata(error))
            return APIError(status: 500, code: "internal", message: "internal error")
        case let error as RedisError:
            logger.warning("redis unavailable", metadata: ["error": "\(error.code)"])
            return retryLater
        default:
            logger.error("unhandled error", metadata: ["error": "\(type(of: error))"])
            return APIError(status: 500, code: "internal", message: "internal error")
        }
    }

    static func response(for error: Error, logger: Logger) -> Response {
        let apiError = apiError(for: error, logger: logger)
        return .json(apiError.body, status: .init(code: apiError.status), headers: apiError.headerFields)
    }

    /// SQLSTATE and statement name; never the server's message.
    static func metadata(_ error: PostgresError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["sqlstate": "\(error.sqlState ?? "-")"]
        if let statement = error.statement { metadata["statement"] = "\(statement)" }
        if case .decoding(let column, _) = error { metadata["column"] = "\(column)" }
        return metadata
    }
}
