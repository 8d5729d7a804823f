import Foundation
import Synchronization

/// One WebSocket connection per user; each user watches the requests they create.
final class ObserverPool: Sendable {
    let baseURL: String
    let api: APIClient
    let tracker: EventTracker
    /// With several instances, user `u`'s socket goes to `router.observer(user: u)`.
    let router: InstanceRouter?
    private let streams = Mutex<[String: EventStream]>([:])
    private let watched = Mutex<[String: [String]]>([:])
    /// The base URL each user's socket connects (and reconnects) to.
    private let homes = Mutex<[String: String]>([:])
    private let spawned: AsyncStream<EventStream>
    private let spawn: AsyncStream<EventStream>.Continuation

    init(baseURL: String, api: APIClient, tracker: EventTracker, router: InstanceRouter? = nil) {
        self.baseURL = baseURL
        self.router = router
        self.api = api
        self.tracker = tracker
        (spawned, spawn) = AsyncStream.makeStream(of: EventStream.self)
    }

    /// Runs a connection per user inside `body`; closes them all when `body` returns.
    func withConnections<T: Sendable>(users: [Session], body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (position, user) in users.enumerated() {
                let url = router.map { $0.baseURLs[$0.observer(user: position)] } ?? baseURL
                homes.withLock { $0[user.userId] = url }
                let stream = makeStream(url: url, user: user)
                streams.withLock { $0[user.userId] = stream }
                group.addTask { try? await stream.run() }
            }
            let spawned = self.spawned
            group.addTask {
                await withDiscardingTaskGroup { inner in
                    for await stream in spawned {
                        inner.addTask { try? await stream.run() }
                    }
                }
            }
            for user in users {
                guard let stream = stream(for: user), await stream.waitConnected(timeout: .seconds(10)) else {
                    group.cancelAll()
                    throw ScenarioError("WebSocket /ws did not connect for a signed-in user")
                }
            }
            let result: T
            do {
                result = try await body()
            } catch {
                await closeAll()
                group.cancelAll()
                throw error
            }
            await closeAll()
            try await group.waitForAll()
            return result
        }
    }

    /// The events that end a request: nothing follows them in its room.
    static let finalEvents: Set<String> = ["status:completed", "status:failed", "status:cancelled"]

    /// `user`'s socket to `url`: its frames go to the tracker, and a request's final event
    /// unsubscribes its room, as a client that is done with a request does (the server keeps at
    /// most `realtime.maxSubscriptionsPerConnection` rooms per socket, and a long run would
    /// otherwise fill them, growing the server's subscription state all the while).
    private func makeStream(url: String, user: Session) -> EventStream {
        let tracker = self.tracker
        let userId = user.userId
        return EventStream(baseURL: url, token: user.token) { [weak self] message, received in
            tracker.handle(message, receivedAt: received)
            guard message.type == "event", let event = message.event, Self.finalEvents.contains(event), let requestId = message.requestId,
                let self
            else { return }
            self.finished(requestId, owner: userId)
        }
    }

    /// Leaves a finished request's room; recovery no longer syncs it (its last event arrived).
    private func finished(_ requestId: String, owner userId: String) {
        watched.withLock { $0[userId]?.removeAll { $0 == requestId } }
        guard let stream = streams.withLock({ $0[userId] }) else { return }
        Task { _ = await stream.send(#"{"op":"unsubscribe","room":"request:\#(requestId)"}"#) }
    }

    func stream(for user: Session) -> EventStream? {
        streams.withLock { $0[user.userId] }
    }

    func replace(_ user: Session, with stream: EventStream) {
        streams.withLock { $0[user.userId] = stream }
    }

    func closeAll() async {
        spawn.finish()
        for stream in streams.withLock({ Array($0.values) }) { await stream.close() }
    }

    /// Subscribes the owner's connection to a new request; backfills through `/sync` if
    /// events happened before the subscription took effect.
    func watch(request: ExchangeRequest, owner: Session, scheduled: ContinuousClock.Instant, recorder: Recorder) async {
        tracker.watch(request.id, scheduled: scheduled, recorder: recorder, knownSeqs: Array(1...max(1, request.lastSeq ?? 1)))
        watched.withLock { $0[owner.userId, default: []].append(request.id) }
        guard let stream = stream(for: owner), await stream.waitConnected(timeout: .seconds(5)) else {
            // The owner's socket is down (reconnect scenario): its recovery subscribes this request.
            // Anywhere else, the loss check at the end catches what this missed.
            recorder.increment("ws_subscribe_while_disconnected")
            return
        }
        let clock = ContinuousClock()
        let started = clock.now
        guard await stream.subscribe(room: "request:\(request.id)") else {
            recorder.recordError("ws_subscribe", code: "ws_not_connected")
            return
        }
        guard let lastSeq = await tracker.subscriptions.wait(request.id, timeout: .seconds(5)) else {
            recorder.recordError("ws_subscribe", code: "ws_no_subscribed")
            return
        }
        recorder.record("ws_subscribe", clock.now - started)
        if lastSeq > tracker.highestSeen(request.id) {
            await sync(request.id, owner: owner, recorder: recorder)
        }
    }

    /// Drops the owner's connection and recovers (docs/design.md §5): reconnect, `/sync?afterSeq=` each
    /// watched request, resubscribe, and sync again if `subscribed.lastSeq` is ahead.
    /// Records `recovery` from the drop until every watched request is caught up.
    func dropAndRecover(_ owner: Session, downtime: Duration, recorder: Recorder) async {
        let clock = ContinuousClock()
        let started = clock.now
        let url = homes.withLock { $0[owner.userId] } ?? baseURL
        let fresh = makeStream(url: url, user: owner)
        let old = stream(for: owner)
        await old?.close()
        try? await Task.sleep(for: downtime)
        replace(owner, with: fresh)
        spawn.yield(fresh)
        recorder.increment("reconnects")
        guard await fresh.waitConnected(timeout: .seconds(10)) else {
            recorder.recordError("recovery", code: "ws_reconnect_failed")
            return
        }
        let requests = watched.withLock { $0[owner.userId] ?? [] }
        var recovered = 0
        for requestId in requests {
            recovered += await sync(requestId, owner: owner, recorder: recorder)
            guard await fresh.subscribe(room: "request:\(requestId)") else { continue }
            if let lastSeq = await tracker.subscriptions.wait(requestId, timeout: .seconds(5)), lastSeq > tracker.highestSeen(requestId) {
                recovered += await sync(requestId, owner: owner, recorder: recorder)
            }
        }
        recorder.increment("events_recovered_by_sync", by: recovered)
        recorder.record("recovery", clock.now - started)
    }

    /// `GET /api/requests/:id/sync?afterSeq=N` and marks what it returns as seen.
    @discardableResult
    func sync(_ requestId: String, owner: Session, recorder: Recorder) async -> Int {
        let clock = ContinuousClock()
        let started = clock.now
        let after = tracker.highestSeen(requestId)
        let answer = await api.get("/api/requests/\(requestId)/sync?afterSeq=\(after)", token: owner.token)
        guard answer.isSuccess, let sync = answer.decode(SyncResponse.self) else {
            recorder.recordError("sync", code: answer.errorCode ?? "bad_response")
            return 0
        }
        recorder.record("sync", clock.now - started)
        return tracker.recovered(requestId, seqs: sync.missedEvents.map(\.seq))
    }
}
