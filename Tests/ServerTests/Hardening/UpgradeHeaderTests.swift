import Foundation
import Hummingbird
import Testing

@testable import Server

/// Issue 12 item 8: a malformed WebSocket handshake is 400, never a `101`.
@Suite struct UpgradeHeaderTests {
    static func handshake(
        connection: String = "Upgrade",
        upgrade: String = "websocket",
        key: String = "dGhlIHNhbXBsZSBub25jZQ==",
        version: String = "13",
        token: String
    ) -> String {
        [
            "GET /ws HTTP/1.1", "Host: 127.0.0.1", "Upgrade: \(upgrade)", "Connection: \(connection)", "Sec-WebSocket-Key: \(key)",
            "Sec-WebSocket-Version: \(version)", "Authorization: Bearer \(token)",
        ].joined(separator: "\r\n") + "\r\n\r\n"
    }

    @Test func malformedHandshakesAreRefused() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let port = try #require(Int(exchange.baseURL.split(separator: ":").last ?? ""))
            let malformed = [
                Self.handshake(connection: "Upgrade, keep alive", token: user.token),
                Self.handshake(connection: "Upgrade;x", token: user.token),
                Self.handshake(key: "not base64!", token: user.token),
                Self.handshake(key: "dGhlIHNhbXBsZQ==", token: user.token),
            ]
            for request in malformed {
                let reply = try await RawHTTP.send(port: port, request)
                #expect(reply.status == 400, "\(request.debugDescription): \(reply.text)")
                #expect(reply.text.contains(#""code":"bad_request""#))
            }
            let fine = try await RawHTTP.send(port: port, Self.handshake(connection: "keep-alive, Upgrade", token: user.token))
            #expect(fine.status == 101, "\(fine.text)")
        }
    }

    @Test func handshakeRules() {
        var fields = HTTPFields()
        fields[.connection] = "keep-alive, Upgrade"
        fields[.upgrade] = "WebSocket"
        fields[.secWebSocketVersion] = "13"
        fields[.secWebSocketKey] = "dGhlIHNhbXBsZSBub25jZQ=="
        #expect(UpgradeHandshake.problem(fields) == nil)
        fields[.secWebSocketVersion] = "8"
        #expect(UpgradeHandshake.problem(fields) != nil)
    }

    @Test func unknownMethodsOnKnownPathsAre405WithAllow() async throws {
        try await TestExchange.with { exchange in
            let health = try await exchange.call(.DELETE, "/health")
            #expect(health.status == 405)
            #expect(health.errorCode == "method_not_allowed")
            #expect(health.header("Allow") == "GET")
            let claim = try await exchange.call(.GET, "/api/requests/\(UUID().uuidString.lowercased())/claim")
            #expect(claim.status == 405)
            #expect(claim.header("Allow") == "POST")
            let requests = try await exchange.call(.PUT, "/api/requests")
            #expect(requests.header("Allow") == "GET, POST" || requests.header("Allow") == "POST, GET")
            #expect(try await exchange.call(.GET, "/nowhere").status == 404)
        }
    }

    /// Every documented operation is routed: the 405 table comes from the document.
    @Test func everyDocumentedOperationIsRouted() async throws {
        let table = AllowedMethods(openAPI: OpenAPIDocument.yaml)
        #expect(table.methods(for: "/api/requests/x/fail") == ["POST"])
        #expect(table.methods(for: "/ws") == ["GET"])
        #expect(table.methods(for: "/api/requests/x/y/z") == nil)
    }
}
