import Foundation
import Hummingbird
import HummingbirdTesting
import ProviderSimulator
import WireJSON

/// A simulator with no latency (unless asked), a seeded random source and the given tweaks.
func makeSimulator(
    seed: UInt64 = 42,
    _ configure: (inout ProviderSimulator.Configuration) -> Void = { _ in }
) throws -> ProviderSimulator {
    var configuration = ProviderSimulator.Configuration(port: 0, latencyMs: 0)
    configure(&configuration)
    return try ProviderSimulator(configuration: configuration, random: SplitMix64(seed: seed))
}

/// A decoded answer: its status and its JSON body (`.null` when empty).
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var body: JSON
}

extension TestClientProtocol {
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> Reply {
        try await self.execute(
            uri: uri,
            method: method,
            headers: [.contentType: "application/json"],
            body: json.map { ByteBuffer(string: $0) }
        ) { response in
            let bytes = Data(response.body.readableBytesView)
            let body = bytes.isEmpty ? .null : try JSONDecoder().decode(JSON.self, from: bytes)
            return Reply(status: response.status, body: body)
        }
    }

    /// Posts an SMS with the given key; the other fields are fixed unless given.
    @discardableResult
    func postSMS(to: String = "+15551234567", body: String = "Your code is 123456", key: String, requestId: String? = nil) async throws -> Reply {
        var fields = [#""to":"\#(to)""#, #""body":"\#(body)""#, #""idempotencyKey":"\#(key)""#]
        if let requestId { fields.append(#""requestId":"\#(requestId)""#) }
        return try await self.send(.post, "/sms", json: "{\(fields.joined(separator: ","))}")
    }
}

/// Test-side readers of decoded JSON.
extension JSON {
    var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    var int: Int? {
        if case .int(let value) = self { value } else { nil }
    }

    var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    var array: [JSON] {
        if case .array(let value) = self { value } else { [] }
    }

    /// `items` of a `GET /messages` answer.
    var items: [JSON] { self["items"]?.array ?? [] }
}

/// Elapsed wall time of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}
