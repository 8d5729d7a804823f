import Foundation

/// The answer to one HTTP call: status and body, or the transport error that prevented one.
public struct APIResult: Sendable {
    public var status: Int
    public var body: Data
    public var headers: [(String, String)]
    /// Set when no HTTP answer arrived.
    public var transportError: String?

    public init(status: Int, body: Data, headers: [(String, String)] = [], transportError: String? = nil) {
        self.status = status
        self.body = body
        self.headers = headers
        self.transportError = transportError
    }

    public var isSuccess: Bool { transportError == nil && (200..<300).contains(status) }

    /// `error.code` of the contract's envelope, `http_<status>` without one, or `transport_<kind>`.
    public var errorCode: String? {
        if let transportError { return transportError }
        if (200..<300).contains(status) { return nil }
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: body) {
            return envelope.error.code
        }
        return "http_\(status)"
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public func decode<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: body)
    }
}

/// `{"error": {"code", "message", "details"}}`.
public struct ErrorEnvelope: Decodable, Sendable {
    public struct Body: Decodable, Sendable {
        public var code: String
        public var message: String?
    }

    public var error: Body
}
