import Foundation
import Testing
import WireJSON

@testable import Server

/// Delivery rules, frames and messages without sockets.
@Suite struct RealtimeDeliveryTests {
    let id = "5f0c6b8e-1d2a-4c3b-9e8f-7a6b5c4d3e2f"
    var room: Room { .request(id) }

    func event(_ seq: Int, _ status: String = "assigned") -> RealtimeEvent {
        RealtimeEvent(requestId: id, ownerId: "u1", status: status, fromStatus: "pending", seq: seq, event: "status:\(status)")
    }

    /// Offers `seqs` in that order; returns those that would be sent.
    func offer(_ seqs: [Int], to state: inout DeliveryState, in room: Room? = nil, status: String = "assigned") -> [Int] {
        seqs.filter { state.deliver(event($0, status), in: room ?? self.room) }
    }

    @Test func sendsEachSeqOnceInOrder() {
        var state = DeliveryState()
        state.begin(room)
        _ = state.activate(room, lastSeq: 1)
        // Duplicate 2 dropped; the gap before 4 is sent (the client repairs it via sync); late 3
        // would break the order; 1 is at or below the subscription's lastSeq.
        let sent = offer([2, 2, 4, 3, 1, 5], to: &state)
        #expect(sent == [2, 4, 5])
    }

    @Test func holdsEventsWhileSubscriptionIsPending() {
        var state = DeliveryState()
        state.begin(room)
        let whilePending = offer([3, 2, 4], to: &state)
        #expect(whilePending.isEmpty)
        // lastSeq read as 2: event 2 is already reflected in it; 3 and 4 follow `subscribed` in order.
        let frames = state.activate(room, lastSeq: 2)
        #expect(frames.count == 3)
        #expect(frames[0].text == #"{"type":"subscribed","room":"request:\#(id)","lastSeq":2}"#)
        #expect(frames[0].publishedAtNs == nil)
        #expect(frames[1].text.contains(#""seq":3"#))
        #expect(frames[2].text.contains(#""seq":4"#))
        let after = offer([4, 5], to: &state)
        #expect(after == [5])
    }

    @Test func ignoresRoomsNotSubscribed() {
        var state = DeliveryState()
        let unsubscribed = offer([2], to: &state)
        #expect(unsubscribed.isEmpty)
        state.begin(.operators)
        _ = state.activate(.operators, lastSeq: 0)
        let feed = offer([1], to: &state, in: .operators, status: "pending")
        #expect(feed == [1])
        let removed = state.remove(.operators)
        #expect(removed)
        let afterLeaving = offer([3], to: &state, in: .operators, status: "pending")
        #expect(afterLeaving.isEmpty)
        let removedTwice = state.remove(.operators)
        #expect(!removedTwice)
    }

    @Test func resubscribingNeverResendsAndForgettingIsBounded() {
        var state = DeliveryState(heldLimit: 2, rememberLimit: 3)
        state.begin(room)
        _ = state.activate(room, lastSeq: 3)
        #expect(offer([4], to: &state) == [4])
        state.begin(room)
        #expect(state.activate(room, lastSeq: 4).count == 1)
        #expect(offer([4], to: &state).isEmpty)
        state.begin(.operators)
        _ = state.activate(.operators, lastSeq: 0)
        var fed = 0
        for _ in 0..<10 {
            let other = RealtimeEvent(
                requestId: UUID().uuidString.lowercased(),
                ownerId: "u",
                status: "pending",
                fromStatus: "created",
                seq: 1,
                event: "status:pending"
            )
            if state.deliver(other, in: .operators) { fed += 1 }
        }
        #expect(fed == 10)
        #expect(state.lastSent.count <= 3 + 2)
        #expect(state.lastSent[id] == 4, "subscribed requests are never forgotten")
    }

    @Test func parsesClientFrames() throws {
        #expect(try ClientFrame.parse(#"{"op":"ping"}"#) == .ping)
        #expect(try ClientFrame.parse(#"{"op":"subscribe","room":"operators"}"#) == .subscribe(.operators))
        #expect(try ClientFrame.parse(#"{"op":"unsubscribe","room":"request:\#(id.uppercased())"}"#) == .unsubscribe(room))
        for bad in [
            "", "nope", "[]", "{}", #"{"op":1}"#, #"{"op":"dance"}"#, #"{"op":"subscribe"}"#, #"{"op":"subscribe","room":7}"#,
            #"{"op":"subscribe","room":"lobby"}"#, #"{"op":"subscribe","room":"request:"}"#,
        ] {
            #expect(throws: ClientFrame.Problem.self, "\(bad)") { try ClientFrame.parse(bad) }
        }
    }

    @Test func decodesWhatThePublisherWrites() throws {
        let request = ExchangeRequest(
            id: id,
            userId: "owner-1",
            status: .failed,
            fiatCurrency: "USD",
            fiatAmount: "1.00",
            cryptoCurrency: "BTC",
            assignedOperator: "op",
            createdAt: .now,
            updatedAt: .now,
            assignedAt: nil,
            processingStartedAt: nil,
            completedAt: nil,
            lastSeq: 5
        )
        let published = RequestEvent(
            requestId: id,
            seq: 5,
            event: "status:failed",
            fromStatus: .processing,
            toStatus: .failed,
            actorId: "op",
            actorRole: "operator",
            data: ["reason": #"a "quoted" reason"#],
            createdAt: .now
        )
        let message = RealtimeEvent(published, of: request, publishedAt: Date(timeIntervalSince1970: 1_700_000_000.25)).encoded()
        let event = try #require(RealtimeEvent(payload: Array(message.utf8)))
        #expect(event.requestId == id)
        #expect(event.ownerId == "owner-1")
        #expect(event.seq == 5)
        #expect(event.status == "failed")
        #expect(event.fromStatus == "processing")
        #expect(abs(event.publishedAtNs - 1_700_000_000_250_000_000) < 1_000)
        #expect(event.event == "status:failed")
        #expect(event.data == ["reason": #"a "quoted" reason"#])
        #expect(event.publishedAt.hasPrefix("2023-11-14T22:13:20"))
        let frame = try #require(try JSONSerialization.jsonObject(with: Data(event.frame(room: room).utf8)) as? [String: Any])
        #expect(frame["type"] as? String == "event")
        #expect(frame["room"] as? String == "request:\(id)")
        #expect(frame["requestId"] as? String == id)
        #expect(frame["seq"] as? Int == 5)
        #expect(frame["event"] as? String == "status:failed")
        #expect((frame["data"] as? [String: Any])?["reason"] as? String == #"a "quoted" reason"#)
        #expect(frame["publishedAt"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(RealtimeEvent(payload: Array("not json".utf8)) == nil)
        #expect(RealtimeEvent(payload: Array(#"{"requestId":"x","seq":1}"#.utf8)) == nil)
    }

    @Test func roomsOfAnEvent() {
        #expect(Room.rooms(of: event(1, "pending")) == [room, .operators])
        #expect(Room.rooms(of: event(2, "assigned")) == [room])
    }
}
