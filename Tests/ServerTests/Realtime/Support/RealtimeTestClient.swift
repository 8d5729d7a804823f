import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import Server

/// A frame the server sent, decoded for assertions.
struct ReceivedFrame: Sendable, CustomStringConvertible {
    let text: String
    let type: String?
    let room: String?
    let requestId: String?
    let event: String?
    let code: String?
    let seq: Int?
    let lastSeq: Int?
    /// Wall-clock nanoseconds when the client got it.
    let receivedAtNs: Int
    let publishedAt: String?

    init(_ text: String) {
        receivedAtNs = WallClock.nanoseconds()
        self.text = text
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        type = object["type"] as? String
        room = object["room"] as? String
        requestId = object["requestId"] as? String
        event = object["event"] as? String
        code = object["code"] as? String
        seq = object["seq"] as? Int
        lastSeq = object["lastSeq"] as? Int
        publishedAt = object["publishedAt"] as? String
    }

    var description: String { text }
}

/// A WebSocket client on a test server's `/ws` that collects every frame it receives, in order.
final class RealtimeTestClient: Sendable {
    private struct State {
        var frames: [ReceivedFrame] = []
        /// Index of the first frame ``next(where:timeout:)`` hasn't consumed.
        var cursor = 0
        var connected = false
        var closed = false
        var failure: String?
        var closeCode: String?
    }

    private let state = Mutex(State())
    private let sink: AsyncStream<String>.Continuation

    private init(sink: AsyncStream<String>.Continuation) {
        self.sink = sink
    }

    /// Connects, runs `body`, disconnects. With `reading: false` the client never reads a frame
    /// after the upgrade (a slow consumer).
    static func with<T: Sendable>(
        url: String,
        headers: HTTPFields = [:],
        reading: Bool = true,
        onFrame: (@Sendable (ReceivedFrame) -> Void)? = nil,
        _ body: @Sendable (RealtimeTestClient) async throws -> T
    ) async throws -> T {
        let (outgoing, sink) = AsyncStream<String>.makeStream()
        let client = RealtimeTestClient(sink: sink)
        let logger = {
            var logger = Logger(label: "realtime-test-client")
            logger.logLevel = .critical
            return logger
        }()
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 22, additionalHeaders: headers)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                do {
                    let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                        client.state.withLock { $0.connected = true }
                        try await withThrowingTaskGroup(of: Void.self) { io in
                            io.addTask {
                                for await text in outgoing { try await outbound.write(.text(text)) }
                            }
                            if reading {
                                for try await message in inbound.messages(maxSize: 1 << 24) {
                                    guard case .text(let text) = message else { continue }
                                    let frame = ReceivedFrame(text)
                                    client.state.withLock { $0.frames.append(frame) }
                                    onFrame?(frame)
                                }
                            } else {
                                while !Task.isCancelled { try await Task.sleep(for: .milliseconds(50)) }
                            }
                            io.cancelAll()
                        }
                    }
                    client.state.withLock {
                        $0.closed = true
                        $0.closeCode = close.map { "\($0.closeCode)" }
                    }
                } catch {
                    client.state.withLock {
                        $0.closed = true
                        $0.failure = "\(error)"
                    }
                }
                return nil
            }
            defer { group.cancelAll() }
            try await client.waitUntil("the WebSocket connected or closed", timeout: .seconds(10)) { $0.connected || $0.closed }
            if let failure = client.state.withLock({ $0.failure }) { throw TestFailure("WebSocket connect failed: \(failure)") }
            return try await body(client)
        }
    }

    // MARK: Sending

    func send(_ text: String) {
        sink.yield(text)
    }

    func subscribe(_ room: String) {
        send(#"{"op":"subscribe","room":"\#(room)"}"#)
    }

    func unsubscribe(_ room: String) {
        send(#"{"op":"unsubscribe","room":"\#(room)"}"#)
    }

    /// Subscribes and waits for the answer (`subscribed` or `error`) for that room.
    func subscribed(_ room: String, timeout: Duration = .seconds(5)) async throws -> ReceivedFrame {
        subscribe(room)
        return try await next(timeout: timeout) { ($0.type == "subscribed" || $0.type == "error") && $0.room == room }
    }

    // MARK: Receiving

    var frames: [ReceivedFrame] { state.withLock { $0.frames } }
    var isClosed: Bool { state.withLock { $0.closed } }
    var closeCode: String? { state.withLock { $0.closeCode } }

    func events(for requestId: String) -> [ReceivedFrame] {
        frames.filter { $0.type == "event" && $0.requestId == requestId }
    }

    /// The next not-yet-consumed frame matching `predicate`; frames before it are skipped.
    func next(timeout: Duration = .seconds(15), where predicate: @Sendable (ReceivedFrame) -> Bool = { _ in true }) async throws -> ReceivedFrame {
        try await eventually("a matching frame; got \(frames)", timeout: timeout, every: .milliseconds(2)) {
            state.withLock { state -> ReceivedFrame? in
                while state.cursor < state.frames.count {
                    let frame = state.frames[state.cursor]
                    state.cursor += 1
                    if predicate(frame) { return frame }
                }
                return nil
            }
        }
    }

    /// Waits until `count` events of `requestId` have arrived.
    func waitForEvents(_ requestId: String, count: Int, timeout: Duration = .seconds(15)) async throws -> [ReceivedFrame] {
        try await waitUntil("\(count) events of \(requestId)", timeout: timeout) { state in
            state.frames.count { $0.type == "event" && $0.requestId == requestId } >= count
        }
        return events(for: requestId)
    }

    func waitUntilClosed(timeout: Duration = .seconds(10)) async throws {
        try await waitUntil("the WebSocket closed", timeout: timeout) { $0.closed }
    }

    private func waitUntil(_ what: String, timeout: Duration, _ condition: (State) -> Bool) async throws {
        try await eventually("\(what); frames: \(frames)", timeout: timeout, every: .milliseconds(2)) { state.withLock { condition($0) } }
    }
}

extension TestExchange {
    var webSocketURL: String { "ws" + baseURL.dropFirst("http".count) + "/ws" }

    /// A socket authenticated with `token` in the `Authorization` header.
    func withSocket<T: Sendable>(
        _ session: Session,
        reading: Bool = true,
        onFrame: (@Sendable (ReceivedFrame) -> Void)? = nil,
        _ body: @Sendable (RealtimeTestClient) async throws -> T
    ) async throws -> T {
        try await RealtimeTestClient.with(
            url: webSocketURL,
            headers: [.authorization: "Bearer \(session.token)"],
            reading: reading,
            onFrame: onFrame,
            body
        )
    }

    /// Waits until this instance's pub/sub connection is subscribed, so events reach its sockets.
    func waitForFanout(timeout: Duration = .seconds(10)) async throws {
        try await eventually("the event fan-out subscribed", timeout: timeout, every: .milliseconds(5)) { services.realtime.isSubscriberConnected }
    }

    /// A metric's value from `/metrics` (first sample whose line starts with `series`).
    func metric(_ series: String) async throws -> Double {
        let text = try await call(.GET, "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// One HTTP/1.1 exchange over a plain socket, for what an HTTP client library won't send
/// (a WebSocket upgrade); reads the response head and body, then closes. Returns the status code and the text.
enum RawHTTP {
    static func send(port: Int, _ request: String) async throws -> (status: Int, text: String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let text = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            for try await chunk in inbound {
                text += String(buffer: chunk)
                if isComplete(text) { break }
            }
            return text
        }
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, text)
    }

    /// Headers received and, if there is a `content-length`, the body too.
    static func isComplete(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let headers = text[..<end.lowerBound].lowercased()
        guard let line = headers.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return true }
        return text[end.upperBound...].utf8.count >= length
    }

    /// A WebSocket upgrade request for `path` with extra header lines.
    static func upgrade(_ path: String, headers: [String] = []) -> String {
        ([
            "GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ] + headers).joined(separator: "\r\n") + "\r\n\r\n"
    }
}
