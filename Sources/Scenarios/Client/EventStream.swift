import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import Synchronization

/// One WebSocket connection to `/ws` (docs/design.md §5) that hands every server message to a callback.
///
/// `run()` connects and returns when the connection closes; `send` and `close` may be called
/// from other tasks while it runs.
public final class EventStream: Sendable {
    public let url: String
    private let token: String
    private let onMessage: @Sendable (ServerMessage, Date) -> Void
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let connected = Waiters<Int, Bool>()

    /// - Parameters:
    ///   - baseURL: the server's `http://host:port`.
    ///   - onMessage: called with each decoded message and the wall-clock time it was received.
    public init(baseURL: String, token: String, onMessage: @escaping @Sendable (ServerMessage, Date) -> Void) {
        let wsBase = baseURL.replacingOccurrences(of: "http://", with: "ws://").replacingOccurrences(of: "https://", with: "wss://")
        // The token travels in the Authorization header (docs/design.md §5 allows it or `?token=`).
        self.url = "\(wsBase)/ws"
        self.token = token
        self.onMessage = onMessage
    }

    /// Connects and processes messages until the connection closes or the task is cancelled.
    public func run() async throws {
        var logger = Logger(label: "lab.ws")
        logger.logLevel = .critical
        defer {
            writer.withLock { $0 = nil }
            connected.resolve(0, false)
        }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers)
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            self.writer.withLock { $0 = outbound }
            self.connected.resolve(0, true)
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let received = Date()
                if let decoded = try? JSONDecoder().decode(ServerMessage.self, from: Data(text.utf8)) {
                    self.onMessage(decoded, received)
                }
            }
        }
    }

    /// Waits until the upgrade completed; false if it failed or timed out.
    public func waitConnected(timeout: Duration = .seconds(5)) async -> Bool {
        if writer.withLock({ $0 != nil }) { return true }
        let result = await connected.wait(0, timeout: timeout) ?? false
        return result || writer.withLock { $0 != nil }
    }

    public var isConnected: Bool { writer.withLock { $0 != nil } }

    public func send(_ text: String) async -> Bool {
        guard let outbound = writer.withLock({ $0 }) else { return false }
        do {
            try await outbound.write(.text(text))
            return true
        } catch {
            return false
        }
    }

    public func subscribe(room: String) async -> Bool {
        await send(#"{"op":"subscribe","room":"\#(room)"}"#)
    }

    public func close() async {
        guard let outbound = writer.withLock({ $0 }) else { return }
        try? await outbound.close(.normalClosure, reason: nil)
    }
}
