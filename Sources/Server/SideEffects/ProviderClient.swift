import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import WireJSON

/// Calls the SMS/email/webhook/analytics provider over HTTP with an idempotency key. Owns its
/// HTTP client: whoever makes one shuts it down.
public struct ProviderClient: Sendable {
    let baseURL: String
    let timeout: Duration
    let http: HTTPClient
    let sealer: CodeSealer

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(configuration: ServerConfiguration.Provider, sealer: CodeSealer) {
        self.sealer = sealer
        self.baseURL = configuration.url
        self.timeout = .milliseconds(configuration.timeoutMs)
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.httpConfiguration)
    }

    static var httpConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
        configuration.timeout.connect = .seconds(2)
        // A refused connection fails the call at once instead of being retried until the
        // call's deadline or the connect timeout: a sync-mode request then answers without
        // waiting for a provider that is down, and the job is retried by the queue with its
        // own backoff.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Throws `Failure` on a non-2xx answer or a transport error, ``SealedBody/Unreadable``
    /// when a sealed body can't be opened.
    public func send(_ kind: SideEffectKind, payload: JSON, idempotencyKey: String) async throws {
        var fields: [(String, JSON)] = []
        if case .object(let existing) = try SealedBody.reveal(payload, with: sealer) { fields = existing }
        fields.append(("idempotencyKey", .string(idempotencyKey)))
        var request = HTTPClientRequest(url: baseURL + kind.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: JSON.object(fields).serialized))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .init(timeout))
        } catch {
            throw Failure(description: "\(kind.rawValue): \(error)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "\(kind.rawValue): provider answered \(response.status.code)")
        }
    }
}
