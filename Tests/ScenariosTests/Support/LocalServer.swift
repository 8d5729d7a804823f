import Hummingbird
import Logging
import NIOCore

/// Runs a Hummingbird app on 127.0.0.1, port 0, for the duration of `body(baseURL)`.
func withLocalServer<T: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void,
    body: @Sendable (String) async throws -> T
) async throws -> T {
    let router = Router()
    configure(router)
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "local-server")
    logger.logLevel = .critical  // cancelling the server at the end logs shutdown noise
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portSink.yield(channel.localAddress?.port ?? 0)
            portSink.finish()
        },
        logger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            group.cancelAll()
            throw TestFailure("local server did not start")
        }
        defer { group.cancelAll() }
        return try await body("http://127.0.0.1:\(port)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
