import Foundation
import Synchronization

/// What observers have seen of each watched request: seqs (from WebSocket or `/sync`),
/// delivery lag, and the time from a request's scheduled creation until its completion event.
public final class EventTracker: Sendable {
    struct Track {
        var scheduled: ContinuousClock.Instant
        /// Where this request's measures go (the warm-up's scratch recorder or the measured one).
        var recorder: Recorder
        var seen: Set<Int> = []
        var duplicates = 0
        var completedObserved = false
    }

    private let tracks = Mutex<[String: Track]>([:])
    /// Resolved with `lastSeq` when a `subscribed` answer for `request:<id>` arrives.
    public let subscriptions = Waiters<String, Int>()
    /// Receives what can't be attributed to a watched request (WebSocket `error` messages).
    private let recorder: Recorder
    private let clock = ContinuousClock()

    public init(recorder: Recorder) {
        self.recorder = recorder
    }

    public func watch(_ requestId: String, scheduled: ContinuousClock.Instant, recorder: Recorder, knownSeqs: [Int] = []) {
        tracks.withLock { $0[requestId] = Track(scheduled: scheduled, recorder: recorder, seen: Set(knownSeqs)) }
    }

    /// Feeds one server message (call from `EventStream`'s callback).
    public func handle(_ message: ServerMessage, receivedAt: Date) {
        switch message.type {
        case "event":
            guard let requestId = message.requestId, let seq = message.seq else { return }
            let now = clock.now
            let (target, e2e): (Recorder?, Duration?) = tracks.withLock { tracks in
                guard var track = tracks[requestId] else { return (nil, nil) }
                let (inserted, _) = track.seen.insert(seq)
                if !inserted { track.duplicates += 1 }
                var result: Duration?
                if inserted, message.event == "status:completed", !track.completedObserved {
                    track.completedObserved = true
                    result = now - track.scheduled
                }
                tracks[requestId] = track
                return (track.recorder, result)
            }
            guard let target else { return }
            if let published = message.publishedAt.flatMap(parseTimestamp) {
                let lag = max(0, receivedAt.timeIntervalSince(published))
                target.record("ws_delivery_lag", micros: UInt64(lag * 1_000_000))
            }
            if let e2e { target.record("e2e_observed", e2e) }
        case "subscribed":
            if let room = message.room, room.hasPrefix("request:") {
                subscriptions.resolve(String(room.dropFirst("request:".count)), message.lastSeq ?? 0)
            }
        case "error":
            recorder.recordError("ws", code: message.code ?? "ws_error")
        default:
            break
        }
    }

    /// Marks seqs recovered through `/sync`; returns how many were new.
    @discardableResult
    public func recovered(_ requestId: String, seqs: [Int]) -> Int {
        tracks.withLock { tracks in
            guard var track = tracks[requestId] else { return 0 }
            var fresh = 0
            for seq in seqs where track.seen.insert(seq).inserted { fresh += 1 }
            tracks[requestId] = track
            return fresh
        }
    }

    public func highestSeen(_ requestId: String) -> Int {
        tracks.withLock { $0[requestId]?.seen.max() ?? 0 }
    }

    /// Seqs in 1...lastSeq that were never seen, per request.
    public func gaps(expected: [String: Int]) -> [String: [Int]] {
        tracks.withLock { tracks in
            var result: [String: [Int]] = [:]
            for (requestId, lastSeq) in expected where lastSeq > 0 {
                let seen = tracks[requestId]?.seen ?? []
                let missing = (1...lastSeq).filter { !seen.contains($0) }
                if !missing.isEmpty { result[requestId] = missing }
            }
            return result
        }
    }

    public var duplicateDeliveries: Int {
        tracks.withLock { $0.values.reduce(0) { $0 + $1.duplicates } }
    }

    public var completionsObserved: Int {
        tracks.withLock { $0.values.filter(\.completedObserved).count }
    }
}
