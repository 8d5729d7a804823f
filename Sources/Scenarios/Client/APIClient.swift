import AsyncHTTPClient
import Foundation
import NIOCore
import Profiler

/// A keep-alive HTTP/1.1 client for one base URL, pooled and sized for the load.
public final class APIClient: Sendable {
    public let baseURL: String
    public let client: HTTPClient
    public let timeout: TimeAmount
    let gate: ConnectionGate

    /// - Parameter connections: soft limit of pooled connections to the host.
    public init(baseURL: String, connections: Int = 64, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections)
        )
        configuration.timeout = .init(connect: .seconds(5), read: timeout)
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.gate = ConnectionGate(limit: connections)
    }

    /// Requests that waited for a free connection since the last call, and how long they waited.
    public func takeConnectionWaits() -> (queued: Int, waits: LatencyHistogram) {
        gate.takeWaits()
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends a request; never throws — transport failures become `APIResult.transportError`.
    public func send(
        _ method: HTTPVerb,
        _ path: String,
        json body: (any Encodable & Sendable)? = nil,
        token: String? = nil
    ) async -> APIResult {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method.rawValue)
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            guard let data = try? JSONEncoder().encode(body) else {
                return APIResult(status: 0, body: Data(), transportError: "transport_encode")
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        await gate.acquire()
        defer { gate.release() }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return APIResult(
                status: Int(response.status.code),
                body: Data(buffer.readableBytesView),
                headers: response.headers.map { ($0.name, $0.value) }
            )
        } catch {
            return APIResult(status: 0, body: Data(), transportError: Self.classify(error))
        }
    }

    public func get(_ path: String, token: String? = nil) async -> APIResult {
        await send(.GET, path, token: token)
    }

    public func post(_ path: String, json body: (any Encodable & Sendable)? = nil, token: String? = nil) async -> APIResult {
        await send(.POST, path, json: body, token: token)
    }

    static func classify(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "transport_timeout"
            case .remoteConnectionClosed: return "transport_closed"
            default: return "transport_http"
            }
        }
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "transport_refused" }
        if text.contains("timeout") || text.contains("timed out") { return "transport_timeout" }
        if error is CancellationError { return "transport_cancelled" }
        return "transport_error"
    }
}

/// The HTTP methods the lab sends.
public enum HTTPVerb: String, Sendable {
    case GET, POST, PUT, DELETE
}

/// Percent-encodes a query value (E.164 `+` included).
public func queryEncoded(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}
