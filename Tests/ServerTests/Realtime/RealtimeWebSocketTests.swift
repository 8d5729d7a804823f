import Foundation
import TestSupport
import Testing

@testable import Server

/// `/ws` against a real server, PostgreSQL and Redis: authentication, rooms, ordering, limits.
@Suite struct RealtimeWebSocketTests {
    /// Delivery is checked from the moment the transition's HTTP answer arrives (the commit).
    /// The wait is bounded generously: this suite runs in parallel with ~160 others on two
    /// cores, and latency targets belong to measurements (RealtimeLoadMeasurement, scenarios),
    /// not to unit tests. Typical lag here is a few milliseconds.
    @Test func ownerReceivesEventsInOrderPromptly() async throws {
        try await TestExchange.with { exchange in
            try await exchange.waitForFanout()
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            try await exchange.withSocket(user) { socket async throws in
                let subscribed = try await socket.subscribed("request:\(id)")
                #expect(subscribed.type == "subscribed")
                #expect(subscribed.lastSeq == 1)
                let steps = [(2, "claim", "status:assigned"), (3, "start", "status:processing"), (4, "complete", "status:completed")]
                for (seq, action, event) in steps {
                    let reply = try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token)
                    #expect(reply.status == 200)
                    let frame = try await socket.next(timeout: .seconds(15)) { $0.type == "event" }
                    #expect(frame.seq == seq)
                    #expect(frame.event == event)
                    #expect(frame.room == "request:\(id)")
                    #expect(frame.requestId == id)
                    #expect(frame.publishedAt != nil)
                }
                #expect(socket.events(for: id).compactMap(\.seq) == [2, 3, 4])
            }
            try await eventually("no WebSocket connections left") { (try? await exchange.metric("ws_connections")) == 0 }
            #expect(try await exchange.metric("ws_messages_total{direction=\"in\"}") >= 1)
            #expect(try await exchange.metric("ws_messages_total{direction=\"out\"}") >= 4)
            #expect(try await exchange.metric("ws_delivery_lag_seconds_count") >= 3)
        }
    }

    @Test func refusesRoomsTheCallerMayNotSee() async throws {
        try await TestExchange.with { exchange in
            let owner = try await exchange.signIn()
            let stranger = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(owner)
            try await exchange.withSocket(stranger) { socket async throws in
                for room in ["request:\(id)", "request:\(UUID().uuidString.lowercased())", "request:not-a-uuid", "operators"] {
                    let answer = try await socket.subscribed(room)
                    #expect(answer.type == "error", "\(room)")
                    #expect(answer.code == "forbidden", "\(room)")
                }
                socket.send(#"{"op":"ping"}"#)
                #expect(try await socket.next { $0.type == "pong" }.type == "pong")
            }
            try await exchange.withSocket(op) { socket async throws in
                #expect(try await socket.subscribed("request:\(id)").lastSeq == 1)
                #expect(try await socket.subscribed("operators").lastSeq == 0)
                #expect(try await socket.subscribed("request:\(UUID().uuidString.lowercased())").code == "forbidden")
                socket.unsubscribe("operators")
                #expect(try await socket.next { $0.type == "unsubscribed" }.room == "operators")
            }
        }
    }

    @Test func refusesMissingOrBadTokensAtTheUpgrade() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let port = try #require(Int(exchange.baseURL.split(separator: ":").last ?? ""))
            let missing = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws"))
            #expect(missing.status == 401, "\(missing.text)")
            #expect(missing.text.contains(#""code":"unauthorized""#))
            #expect(missing.text.lowercased().contains("\r\nwww-authenticate: bearer\r\n"), "\(missing.text)")
            let bad = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws?token=" + String(repeating: "x", count: 43)))
            #expect(bad.status == 401)
            let badHeader = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws", headers: ["Authorization: Bearer nope"]))
            #expect(badHeader.status == 401)
            let elsewhere = try await RawHTTP.send(port: port, RawHTTP.upgrade("/api/requests", headers: ["Authorization: Bearer \(user.token)"]))
            #expect(elsewhere.status == 404)

            // The token may come in the query string (browsers can't set headers on a WebSocket).
            let viaHeader = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws", headers: ["Authorization: Bearer \(user.token)"]))
            #expect(viaHeader.status == 101, "\(viaHeader.text)")
            let viaQuery = try await RawHTTP.send(port: port, RawHTTP.upgrade("/ws?token=\(user.token)"))
            #expect(viaQuery.status == 101, "\(viaQuery.text)")
            try await RealtimeTestClient.with(url: exchange.webSocketURL + "?token=\(user.token)") { socket async throws in
                socket.send(#"{"op":"ping"}"#)
                #expect(try await socket.next().type == "pong")
            }
            let plain = try await exchange.call(.GET, "/ws", token: user.token)
            #expect(plain.status == 426)
            #expect(try await exchange.call(.GET, "/ws").status == 401)
            #expect(try await exchange.call(.GET, "/health").status == 200)
        }
    }

    @Test func answersMalformedFramesWithBadRequestAndKeepsServing() async throws {
        try await TestExchange.with({
            $0.realtime.maxSubscriptionsPerConnection = 2
            $0.realtime.maxFrameBytes = 1024
        }) { exchange in
            let user = try await exchange.signIn()
            let ids = [try await exchange.createRequest(user), try await exchange.createRequest(user), try await exchange.createRequest(user)]
            try await exchange.withSocket(user) { socket async throws in
                let malformed = [
                    "not json", "[1,2]", #"{"op":"dance"}"#, #"{"op":"subscribe"}"#, #"{"op":"subscribe","room":"lobby"}"#, #"{"room":"operators"}"#,
                ]
                for bad in malformed {
                    socket.send(bad)
                    let answer = try await socket.next { $0.type == "error" }
                    #expect(answer.code == "bad_request", "\(bad)")
                }
                #expect(try await socket.subscribed("request:\(ids[0])").type == "subscribed")
                #expect(try await socket.subscribed("request:\(ids[1])").type == "subscribed")
                let third = try await socket.subscribed("request:\(ids[2])")
                #expect(third.code == "bad_request", "subscription limit")
                #expect(try await socket.subscribed("request:\(ids[1])").type == "subscribed", "resubscribing doesn't count twice")
                socket.send(#"{"op":"ping"}"#)
                #expect(try await socket.next { $0.type == "pong" }.type == "pong")
            }
            // A frame above realtime.maxFrameBytes closes that connection (1009), and only that one.
            try await exchange.withSocket(user) { socket async throws in
                socket.send(#"{"op":"ping","pad":""# + String(repeating: "x", count: 4096) + #""}"#)
                try await socket.waitUntilClosed()
            }
            try await exchange.withSocket(user) { socket async throws in
                socket.send(#"{"op":"ping"}"#)
                #expect(try await socket.next().type == "pong")
            }
        }
    }

    @Test func pingsKeepLiveConnectionsAndCloseDeadOnes() async throws {
        try await TestExchange.with({ $0.realtime.pingIntervalMs = 200 }) { exchange in
            let user = try await exchange.signIn()
            try await exchange.withSocket(user) { live in
                // A client that never reads never answers the server's pings: closed after ~2 intervals.
                try await exchange.withSocket(user, reading: false) { _ in
                    try await eventually("both sockets connected", timeout: .seconds(1)) { (try? await exchange.metric("ws_connections")) == 2 }
                    try await eventually("the silent socket closed", timeout: .seconds(3)) { (try? await exchange.metric("ws_connections")) == 1 }
                }
                // The live one answered every ping (its library does) and is still served. Not a
                // wait for something to happen: the time span is the subject — the live socket
                // outlives three more ping intervals (a silent one is closed after two).
                try await Task.sleep(for: .milliseconds(600))
                live.send(#"{"op":"ping"}"#)
                #expect(try await live.next { $0.type == "pong" }.type == "pong")
                #expect(!live.isClosed)
            }
        }
    }

    /// The server reads a socket only while few of its frames await an answer; a client that
    /// sends far more than that at once is still answered, every frame once and in order.
    @Test func aFloodOfFramesIsAnsweredInOrder() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            try await exchange.withSocket(user) { socket async throws in
                let rooms = (0..<(RealtimeSession.inboxLimit * 12)).map { _ in "request:\(UUID().uuidString.lowercased())" }
                for room in rooms { socket.unsubscribe(room) }
                try await eventually("every frame answered", timeout: .seconds(20)) {
                    socket.frames.filter { $0.type == "unsubscribed" }.count >= rooms.count
                }
                #expect(socket.frames.filter { $0.type == "unsubscribed" }.compactMap(\.room) == rooms)
            }
        }
    }

    /// A socket holds no task of its own; the server's graceful shutdown still reaches it and
    /// closes it with 1000 instead of leaving it open (or waiting for it).
    @Test func gracefulShutdownClosesOpenSocketsWith1000() async throws {
        let client = try await TestExchange.with { exchange -> Task<String?, any Error> in
            let user = try await exchange.signIn()
            let url = exchange.webSocketURL
            let client = Task {
                try await RealtimeTestClient.with(url: url, headers: [.authorization: "Bearer \(user.token)"]) { socket in
                    try await socket.waitUntilClosed(timeout: .seconds(30))
                    return socket.closeCode
                }
            }
            try await eventually("the socket connected") { (try? await exchange.metric("ws_connections")) == 1 }
            return client
        }
        // The server has stopped: its socket was closed on the way.
        let code = try await client.value
        #expect(code?.contains("1000") == true || code?.contains("normalClosure") == true, "close code \(code ?? "none")")
    }

    @Test func operatorsRoomCarriesNewAndReleasedRequestsOnce() async throws {
        try await TestExchange.with { exchange in
            try await exchange.waitForFanout()
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            try await exchange.withSocket(op) { socket async throws in
                #expect(try await socket.subscribed("operators").type == "subscribed")
                let id = try await exchange.createRequest(user)
                let created = try await socket.next(timeout: .seconds(15)) { $0.type == "event" && $0.requestId == id }
                #expect(created.room == "operators")
                #expect(created.seq == 1)
                #expect(created.event == "status:pending")
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token)
                let released = try await socket.next(timeout: .seconds(15)) { $0.type == "event" && $0.requestId == id }
                #expect(released.seq == 3, "claim (seq 2) isn't in the operators' feed")
                #expect(released.event == "status:pending")

                // In both rooms: the release arrives once, through the request's room.
                #expect(try await socket.subscribed("request:\(id)").lastSeq == 3)
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token)
                let frames = try await socket.waitForEvents(id, count: 4, timeout: .seconds(2))
                #expect(frames.compactMap(\.seq) == [1, 3, 4, 5])
                #expect(frames.last?.room == "request:\(id)")
                // A later event of the request is fanned out after the release's (one channel, in
                // order): once it is here, a duplicate of the release would be here too.
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                _ = try await socket.waitForEvents(id, count: 5, timeout: .seconds(2))
                #expect(socket.events(for: id).compactMap(\.seq) == [1, 3, 4, 5, 6], "no duplicate through the operators room")
            }
        }
    }
}
