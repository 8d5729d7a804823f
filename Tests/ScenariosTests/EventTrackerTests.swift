import Foundation
import Testing

@testable import Scenarios

@Suite struct EventTrackerTests {
    static func event(_ requestId: String, _ seq: Int, _ name: String, publishedAt: Date) -> ServerMessage {
        ServerMessage(
            type: "event",
            room: "request:\(requestId)",
            requestId: requestId,
            seq: seq,
            event: name,
            publishedAt: publishedAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            lastSeq: nil,
            code: nil
        )
    }

    @Test func recordsDeliveryLagAndCompletion() {
        let recorder = Recorder()
        let tracker = EventTracker(recorder: recorder)
        // `publishedAt` travels truncated to whole milliseconds. Start 0.2 ms past a millisecond
        // so truncation (and binary floating point) can't shift the 50 ms lag by a whole ms.
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000 + 0.0002)
        tracker.watch("r1", scheduled: .now, recorder: recorder, knownSeqs: [1])
        tracker.handle(Self.event("r1", 2, "status:assigned", publishedAt: now.addingTimeInterval(-0.050)), receivedAt: now)
        tracker.handle(Self.event("r1", 4, "status:completed", publishedAt: now), receivedAt: now)
        let snapshot = recorder.snapshot()
        let lag = snapshot.histograms["ws_delivery_lag"]
        #expect(lag?.count == 2)
        #expect(abs((lag?.maxMillis ?? 0) - 50) < 1)
        #expect(snapshot.histograms["e2e_observed"]?.count == 1)
        #expect(tracker.completionsObserved == 1)
        // Events of requests nobody watches (or watched by the warm-up's recorder) don't land here.
        tracker.handle(Self.event("other", 2, "status:assigned", publishedAt: now), receivedAt: now)
        #expect(recorder.snapshot().histograms["ws_delivery_lag"]?.count == 2)
    }

    @Test func gapsAreFoundAndSyncFillsThemAndDuplicatesAreDroppedBySeq() {
        let tracker = EventTracker(recorder: Recorder())
        tracker.watch("r1", scheduled: .now, recorder: Recorder(), knownSeqs: [1])
        tracker.handle(Self.event("r1", 2, "status:assigned", publishedAt: Date()), receivedAt: Date())
        tracker.handle(Self.event("r1", 4, "status:completed", publishedAt: Date()), receivedAt: Date())
        #expect(tracker.gaps(expected: ["r1": 4]) == ["r1": [3]])
        #expect(tracker.highestSeen("r1") == 4)
        #expect(tracker.recovered("r1", seqs: [2, 3, 4]) == 1)
        #expect(tracker.gaps(expected: ["r1": 4]).isEmpty)
        tracker.handle(Self.event("r1", 4, "status:completed", publishedAt: Date()), receivedAt: Date())
        #expect(tracker.duplicateDeliveries == 1)
        #expect(tracker.completionsObserved == 1)
    }

    @Test func subscribedAnswersResolveWaitersEvenWhenEarly() async {
        let tracker = EventTracker(recorder: Recorder())
        let subscribed = ServerMessage(
            type: "subscribed",
            room: "request:r9",
            requestId: nil,
            seq: nil,
            event: nil,
            publishedAt: nil,
            lastSeq: 3,
            code: nil
        )
        tracker.handle(subscribed, receivedAt: Date())
        #expect(await tracker.subscriptions.wait("r9", timeout: .seconds(1)) == 3)
        #expect(await tracker.subscriptions.wait("r10", timeout: .milliseconds(20)) == nil)
    }

    @Test func timestampsParseWithAndWithoutFractions() {
        #expect(parseTimestamp("2026-11-28T01:09:06.035Z") != nil)
        #expect(parseTimestamp("2026-11-28T01:09:06Z") != nil)
        #expect(parseTimestamp("yesterday") == nil)
    }

    @Test func errorCodesComeFromTheEnvelope() {
        let envelope = APIResult(status: 409, body: Data(#"{"error":{"code":"already_claimed","message":"x"}}"#.utf8))
        #expect(envelope.errorCode == "already_claimed")
        #expect(APIResult(status: 502, body: Data("bad gateway".utf8)).errorCode == "http_502")
        #expect(APIResult(status: 0, body: Data(), transportError: "transport_refused").errorCode == "transport_refused")
        #expect(APIResult(status: 201, body: Data()).errorCode == nil)
    }
}
