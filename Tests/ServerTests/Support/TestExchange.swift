import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresClient
import Server
import Testing

/// A real exchange server on an ephemeral loopback port, backed by the real PostgreSQL and
/// Redis of `scripts/dev-services`, plus an HTTP client to talk to it.
struct TestExchange: Sendable {
    let baseURL: String
    let services: ExchangeServices

    static func configuration(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = (try? ServerConfiguration.load(file: nil)) ?? ServerConfiguration()
        configuration.http.port = 0
        configuration.sideEffects.mode = .sync
        // Point at a provider nobody answers unless a test starts one: side effects then fail
        // fast and are recorded for retry, which doesn't change any HTTP outcome tested here.
        configuration.provider.url = "http://127.0.0.1:9"
        configuration.provider.timeoutMs = 500
        // No in-process workers: suites that test queues start their own.
        configuration.workers.count = 0
        // Every test signs in from 127.0.0.1: per-address limits are tested on their own.
        configuration.rateLimit.otpPerAddressPerMinute = 1_000_000
        configuration.rateLimit.verifyPerAddressPerMinute = 1_000_000
        configuration.rateLimit.tokenLookupsPerAddressPerMinute = 1_000_000
        configuration.rateLimit.smsPerMinute = 1_000_000
        // A fixed window restarts its count at each minute boundary, which a test's few
        // requests under load can straddle (one did: 201 where 429 was due). The sliding log
        // counts the last 60 s whenever they run. The algorithms' own windows are tested with
        // an injected clock (RateLimiterTests).
        configuration.rateLimit.algorithm = .sliding
        // Dozens of test servers open their first connections in the same second; on a busy
        // CI machine PostgreSQL's startup of a backend took longer than the 2 s default.
        configuration.db.pool.connectTimeoutMs = 10_000
        configure(&configuration)
        return configuration
    }

    /// Starts a server, runs `body` against it, stops it gracefully.
    static func with<T: Sendable>(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestExchange) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test-exchange")
        logger.logLevel = .warning
        try await migrateOnce()
        let services = try ExchangeServices(configuration: configuration(configure), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = ExchangeApplication.build(services: services) { port in continuation.yield(port) }
        return try await withRunningServices([app], logger: logger, onEnded: { continuation.finish() }) {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("server did not start") }
            return try await body(TestExchange(baseURL: "http://127.0.0.1:\(port)", services: services))
        }
    }

    /// The schema, migrated once per test process with the default (reachable) primary, so
    /// tests that point a server at a dead primary still start.
    static func migrateOnce() async throws {
        try await migration.value
    }

    private static let migration = Task {
        // As `exchange-server migrate` does: the owner role migrates and grants the app role.
        let settings = configuration()
        let pool = PostgresPool(configuration: PostgresConfiguration(url: settings.db.migrationUrl, name: "test-migrate", poolSize: 1))
        defer { pool.close() }
        try await Migrator(pool: pool, appRole: settings.db.appRole).migrate()
    }

    // MARK: HTTP

    struct Reply: Sendable {
        let status: Int
        let headers: [(String, String)]
        let text: String

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorDetails: [String: Any] { (json["error"] as? [String: Any])?["details"] as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, body: String? = nil, token: String? = nil, headers: [(String, String)] = []) async throws -> Reply
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, text: String(buffer: buffer))
    }

    // MARK: Sign-in

    struct Session: Sendable {
        let token: String
        let userID: String
        let phone: String
    }

    static func randomPhone() -> String {
        "+1" + String(UInt64.random(in: 2_000_000_000...9_999_999_999))
    }

    /// Signs in through `POST /api/auth/verify` with a code planted directly in the database
    /// (the SMS path has its own tests with the provider simulator).
    func signIn(operator isOperator: Bool = false, phone: String = TestExchange.randomPhone()) async throws -> Session {
        if isOperator { _ = try await services.grantOperator(phone: phone) }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        try await services.plantCode(phone: phone, code: code)
        let reply = try await call(.POST, "/api/auth/verify", body: #"{"phone":"\#(phone)","code":"\#(code)"}"#)
        guard reply.status == 200, let token = reply.json["token"] as? String,
            let user = reply.json["user"] as? [String: Any], let id = user["id"] as? String
        else { throw TestFailure("sign-in failed: \(reply.status) \(reply.text)") }
        return Session(token: token, userID: id, phone: phone)
    }

    /// Creates a request as `user` and returns its id.
    func createRequest(_ user: Session, amount: String = "100.50", fiat: String = "USD") async throws -> String {
        let reply = try await call(
            .POST,
            "/api/requests",
            body: #"{"fiatCurrency":"\#(fiat)","fiatAmount":"\#(amount)","cryptoCurrency":"BTC"}"#,
            token: user.token
        )
        guard reply.status == 201, let id = reply.json["id"] as? String else { throw TestFailure("create failed: \(reply.status) \(reply.text)") }
        return id
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
