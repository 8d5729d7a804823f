import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls the SMS/email/webhook/analytics provider over HTTP with an idempotency key.
public struct ProviderClient: Sendable {
    let baseURL: String
    let timeout: Duration
    let http: HTTPClient

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Throws `Failure` on a non-2xx answer or a transport error.
    public func send(_ kind: SideEffectKind, payload: JSON, idempotencyKey: String) async throws {
        var fields: [(String, JSON)] = []
        if case .object(let existing) = payload { fields = existing }
        fields.append(("idempotencyKey", .string(idempotencyKey)))
        var request = HTTPClientRequest(url: baseURL + kind.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: JSON.object(fields).serialized))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                + timeout.components.attoseconds / 1_000_000_000))
        } catch {
            throw Failure(description: "\(kind.rawValue): \(error)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "\(kind.rawValue): provider answered \(response.status.code)")
        }
    }
}
