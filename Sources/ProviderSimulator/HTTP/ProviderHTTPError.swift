import Hummingbird

/// Every error answer of the simulator, in the exchange's envelope:
/// `{"error": {"code": "...", "message": "...", "details": {...}}}`.
struct ProviderHTTPError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    let details: [String: String]?

    static func badRequest(_ message: String, details: [String: String]? = nil) -> Self {
        Self(status: .badRequest, code: "bad_request", message: message, details: details)
    }

    static func validationFailed(_ details: [String: String]) -> Self {
        Self(status: .unprocessableContent, code: "validation_failed", message: "invalid values", details: details)
    }

    static func payloadTooLarge(limit: Int) -> Self {
        Self(status: .contentTooLarge, code: "payload_too_large", message: "body larger than \(limit) bytes", details: nil)
    }

    /// The simulated provider outage.
    static let unavailable = Self(
        status: .serviceUnavailable,
        code: "unavailable",
        message: "simulated provider failure",
        details: nil
    )

    private struct Envelope: Encodable {
        struct Body: Encodable {
            let code: String
            let message: String
            let details: [String: String]?
        }

        let error: Body
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let envelope = Envelope(error: .init(code: self.code, message: self.message, details: self.details))
        var response = try context.responseEncoder.encode(envelope, from: request, context: context)
        response.status = self.status
        return response
    }
}
