import HTTPTypes
import WireJSON

/// An error answered to a client in the contract's envelope:
/// `{"error": {"code": "...", "message": "...", "details": {...}}}`.
public struct APIError: Error, Sendable {
    public let status: Int
    public let code: String
    public let message: String
    public var details: [(String, JSON)] = []
    public var retryAfterSeconds: Int?
    /// For 405: the methods the path serves (the `Allow` header).
    public var allow: [String]?

    /// The headers its answer carries besides the body's: `Retry-After`, `Allow`, and on 401
    /// the scheme to authenticate with (`WWW-Authenticate: Bearer`, RFC 7235).
    public var headerFields: HTTPFields {
        var headers = HTTPFields()
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if let allow { headers[.allow] = allow.joined(separator: ", ") }
        return headers
    }

    public var body: JSON {
        var fields: [(String, JSON)] = [("code", .string(code)), ("message", .string(message))]
        if !details.isEmpty { fields.append(("details", .object(details))) }
        return .object([("error", .object(fields))])
    }

    public static let unauthorized = APIError(status: 401, code: "unauthorized", message: "missing, unknown or expired token")
    public static let forbidden = APIError(status: 403, code: "forbidden", message: "not allowed for this user")
    public static let notFound = APIError(status: 404, code: "not_found", message: "not found")
    public static let badRequest = APIError(status: 400, code: "bad_request", message: "body is not valid JSON")
    public static let payloadTooLarge = APIError(status: 413, code: "payload_too_large", message: "body exceeds 64 KiB")
    /// 503 with `Retry-After: 1`: a dependency is down or a transient condition (statement
    /// timeout, deadlock, serialization conflict, too many connections) hit the request.
    public static let unavailable = APIError(
        status: 503,
        code: "unavailable",
        message: "a dependency is unavailable, retry later",
        retryAfterSeconds: 1
    )

    public static func validation(_ problems: [(String, String)]) -> APIError {
        APIError(
            status: 422,
            code: "validation_failed",
            message: "invalid fields",
            details: problems.map { ($0.0, .string($0.1)) }
        )
    }

    public static func rateLimited(retryAfter: Int) -> APIError {
        APIError(status: 429, code: "rate_limited", message: "too many requests", retryAfterSeconds: max(1, retryAfter))
    }

    static func denial(_ denial: Lifecycle.Denial) -> APIError {
        switch denial {
        case .notFound:
            .notFound
        case .forbidden:
            .forbidden
        case .alreadyClaimed(let current):
            APIError(
                status: 409,
                code: "already_claimed",
                message: "request is already claimed",
                details: [("currentStatus", .string(current.rawValue))]
            )
        case .invalidTransition(let current):
            APIError(
                status: 409,
                code: "invalid_transition",
                message: "not allowed in status \(current.rawValue)",
                details: [("currentStatus", .string(current.rawValue))]
            )
        }
    }
}

// In an extension so the compiler still writes the memberwise initialiser.
extension APIError {
    /// The contract's answer to a refused command.
    init(_ error: CommandError) {
        switch error {
        case .denied(let denial): self = .denial(denial)
        case .invalid(let issues): self = .validation(issues.map { ($0.field, $0.reason) })
        case .rateLimited(let retry): self = .rateLimited(retryAfter: retry)
        case .unauthorized(let message): self = APIError(status: 401, code: "unauthorized", message: message)
        case .unavailable(let message): self = APIError(status: 503, code: "unavailable", message: message)
        }
    }
}
