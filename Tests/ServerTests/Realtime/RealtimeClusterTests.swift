import Foundation
import RedisClient
import TestSupport
import Testing
import WireJSON

@testable import Server

/// Fan-out between instances, recovery after a reconnect, slow consumers, and the pub/sub
/// connection surviving `CLIENT KILL` — each against real servers, PostgreSQL and Redis.
@Suite struct RealtimeClusterTests {
    @Test func transitionThroughOneInstanceReachesSocketsOnAnother() async throws {
        try await TestExchange.with { a in
            try await TestExchange.with { b in
                try await a.waitForFanout()
                try await b.waitForFanout()
                let user = try await a.signIn()
                let op = try await b.signIn(operator: true)
                let id = try await a.createRequest(user)
                try await b.withSocket(user) { onB async throws in
                    try await a.withSocket(op) { onA async throws in
                        #expect(try await onB.subscribed("request:\(id)").lastSeq == 1)
                        #expect(try await onA.subscribed("operators").type == "subscribed")
                        #expect(try await a.call(.POST, "/api/requests/\(id)/claim", token: op.token).status == 200)
                        let claimed = try await onB.next(timeout: .seconds(15)) { $0.type == "event" }
                        #expect(claimed.seq == 2)
                        #expect(claimed.event == "status:assigned")
                        // …and the other way round: a release through B reaches the operators room on A.
                        #expect(try await b.call(.POST, "/api/requests/\(id)/release", token: op.token).status == 200)
                        let released = try await onA.next(timeout: .seconds(15)) { $0.type == "event" && $0.requestId == id }
                        #expect(released.seq == 3)
                        #expect(try await onB.next(timeout: .seconds(15)) { $0.type == "event" }.seq == 3)
                    }
                }
            }
        }
    }

    @Test func reconnectingClientRecoversEverythingThroughSyncWithoutDuplicates() async throws {
        try await TestExchange.with { exchange in
            try await exchange.waitForFanout()
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            var ledger = ClientLedger()
            try await ledger.sync(exchange, id: id, token: user.token)

            // Connected: seq 2 arrives live.
            ledger = try await exchange.withSocket(user) { [ledger] socket async throws in
                var ledger = ledger
                #expect(try await socket.subscribed("request:\(id)").lastSeq == 1)
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                let frame = try await socket.next(timeout: .seconds(15)) { $0.type == "event" }
                #expect(ledger.apply(frame) == .applied)
                return ledger
            }
            #expect(ledger.applied == [1, 2])

            // Disconnected: seq 3 and 4 are committed and missed.
            try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token)
            try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)

            // Reconnect per docs/realtime.md: sync from the last applied seq, then resubscribe.
            try await ledger.sync(exchange, id: id, token: user.token)
            #expect(ledger.applied == [1, 2, 3, 4])
            // A transition lands between the sync and the subscribe (seq 5)…
            try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token)
            ledger = try await exchange.withSocket(user) { [ledger] socket async throws in
                var ledger = ledger
                let subscribed = try await socket.subscribed("request:\(id)")
                // …which `subscribed.lastSeq` reveals; one more sync closes the gap.
                #expect(subscribed.lastSeq == 5)
                if let last = subscribed.lastSeq, last > ledger.last { try await ledger.sync(exchange, id: id, token: user.token) }
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                try await exchange.call(.POST, "/api/requests/\(id)/start", token: op.token)
                for _ in 0..<2 {
                    let frame = try await socket.next(timeout: .seconds(15)) { $0.type == "event" }
                    #expect(ledger.apply(frame) == .applied)
                }
                // Frames the server sent on this connection: each seq at most once.
                let seqs = socket.events(for: id).compactMap(\.seq)
                #expect(seqs == Array(Set(seqs)).sorted())
                return ledger
            }
            #expect(ledger.applied == [1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test func slowConsumerIsDisconnectedAndCountedWhileOthersAreServed() async throws {
        try await TestExchange.with({ $0.realtime.sendBufferLimit = 4 }) { exchange in
            try await exchange.waitForFanout()
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let slowID = try await exchange.createRequest(user)
            let fastID = try await exchange.createRequest(user)
            let before = try await exchange.metric("ws_slow_consumer_disconnects_total")
            try await exchange.withSocket(user) { fast async throws in
                #expect(try await fast.subscribed("request:\(fastID)").type == "subscribed")
                try await exchange.withSocket(user, reading: false) { slow async throws in
                    slow.subscribe("request:\(slowID)")
                    try await eventually("the slow socket in its room") {
                        exchange.services.realtime.connectionCount(in: "request:\(slowID)") == 1
                    }
                    // Bursts of large events for the slow socket's request, straight onto the
                    // channel, until its kernel buffers, NIO's and then its 4-frame queue are full.
                    // (Bursts that arrive while its lastSeq is still being read are held, then
                    // released into that queue: they count too.)
                    let pad = String(repeating: "x", count: 32 * 1024)
                    var seq = 2
                    try await eventually("the slow consumer disconnected (within 3000 events)", timeout: .seconds(60)) {
                        guard seq < 3000 else { throw TestFailure("slow consumer never disconnected") }
                        for _ in 0..<50 {
                            let event = Self.syntheticEvent(slowID, owner: user.userID, seq: seq, pad: pad)
                            _ = try await exchange.services.redis.publish(EventPublisher.channel, event)
                            seq += 1
                        }
                        return try await exchange.metric("ws_slow_consumer_disconnects_total") > before
                    }
                    try await eventually("the slow socket out of its room", timeout: .seconds(15)) {
                        exchange.services.realtime.connectionCount(in: "request:\(slowID)") == 0
                    }
                }
                #expect(try await exchange.metric("ws_slow_consumer_disconnects_total") == before + 1)
                // Everyone else carries on.
                try await exchange.call(.POST, "/api/requests/\(fastID)/claim", token: op.token)
                #expect(try await fast.next(timeout: .seconds(15)) { $0.type == "event" }.seq == 2)
                fast.send(#"{"op":"ping"}"#)
                #expect(try await fast.next { $0.type == "pong" }.type == "pong")
            }
            #expect(try await exchange.call(.GET, "/health").status == 200)
        }
    }

    /// Kills only this instance's pub/sub connection (found by its client name), so other suites
    /// sharing this Redis are unaffected.
    @Test func subscriberSurvivesClientKill() async throws {
        try await TestExchange.with { exchange in
            try await exchange.waitForFanout()
            let redis = exchange.services.redis
            let name = exchange.services.realtime.subscriberName
            let list = try #require(try await redis.send(["CLIENT", "LIST", "TYPE", "pubsub"]).string)
            let line = try #require(list.split(separator: "\n").first { $0.contains(" name=\(name) ") })
            let id = try #require(line.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
            let before = try await exchange.metric("ws_pubsub_reconnects_total")
            #expect(try await redis.send(["CLIENT", "KILL", "TYPE", "pubsub", "ID", String(id)]).int == 1)
            try await eventually("the pub/sub connection reconnected") {
                (try? await exchange.metric("ws_pubsub_reconnects_total")) ?? 0 > before
            }
            try await exchange.waitForFanout()

            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let id2 = try await exchange.createRequest(user)
            try await exchange.withSocket(user) { socket async throws in
                #expect(try await socket.subscribed("request:\(id2)").lastSeq == 1)
                try await exchange.call(.POST, "/api/requests/\(id2)/claim", token: op.token)
                #expect(try await socket.next(timeout: .seconds(15)) { $0.type == "event" }.seq == 2)
            }
        }
    }

    // MARK: Helpers

    static func syntheticEvent(_ id: String, owner: String, seq: Int, pad: String) -> String {
        let now = Date()
        return RealtimeEvent(
            requestId: id,
            ownerId: owner,
            status: "assigned",
            fromStatus: "pending",
            seq: seq,
            event: "status:assigned",
            data: ["pad": .string(pad)],
            publishedAt: ISO8601.string(now),
            publishedAtNs: Int(now.timeIntervalSince1970 * 1e9)
        ).encoded()
    }
}

/// What a client following docs/realtime.md keeps per request: the seqs it applied, each once,
/// in order; live events at or below the last applied are dropped, a jump means a gap.
struct ClientLedger: Sendable {
    enum Outcome: Equatable { case applied, duplicate, gap }

    private(set) var applied: [Int] = []
    private(set) var duplicatesDropped = 0
    var last: Int { applied.last ?? 0 }

    mutating func apply(_ frame: ReceivedFrame) -> Outcome {
        guard let seq = frame.seq else { return .gap }
        if seq <= last {
            duplicatesDropped += 1
            return .duplicate
        }
        guard seq == last + 1 else { return .gap }
        applied.append(seq)
        return .applied
    }

    /// `GET /sync?afterSeq=<last>` and apply `missedEvents`.
    mutating func sync(_ exchange: TestExchange, id: String, token: String) async throws {
        let reply = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=\(last)", token: token)
        let missed = try #require(reply.json["missedEvents"] as? [[String: Any]])
        for seq in missed.compactMap({ $0["seq"] as? Int }) where seq > last {
            applied.append(seq)
        }
    }
}
