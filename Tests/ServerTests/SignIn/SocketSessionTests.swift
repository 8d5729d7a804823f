import Foundation
import Testing

@testable import Server

/// A WebSocket lives no longer than its session: closed with 4001 once the session is
/// revoked, checked at every subscribe and periodically.
@Suite struct SocketSessionTests {
    @Test func socketClosesWith4001AfterLogout() async throws {
        try await TestExchange.with({ $0.realtime.sessionCheckIntervalMs = 200 }) { exchange in
            let user = try await exchange.signIn()
            try await exchange.withSocket(user) { socket in
                socket.send(#"{"op":"ping"}"#)
                _ = try await socket.next { $0.type == "pong" }
                #expect(try await exchange.call(.POST, "/api/auth/logout", token: user.token).status == 204)
                try await socket.waitUntilClosed(timeout: .seconds(15))
                #expect(socket.closeCode?.contains("4001") == true, "close code \(socket.closeCode ?? "none")")
            }
        }
    }

    @Test func subscribeRechecksTheSession() async throws {
        // A long periodic interval: only the subscribe can notice the logout.
        try await TestExchange.with({ $0.realtime.sessionCheckIntervalMs = 600_000 }) { exchange in
            let user = try await exchange.signIn()
            let id = try await exchange.createRequest(user)
            try await exchange.withSocket(user) { socket in
                _ = try await socket.subscribed("request:\(id)")
                #expect(try await exchange.call(.POST, "/api/auth/logout", token: user.token).status == 204)
                socket.subscribe("operators")
                try await socket.waitUntilClosed(timeout: .seconds(15))
                #expect(socket.closeCode?.contains("4001") == true, "close code \(socket.closeCode ?? "none")")
            }
        }
    }
}
