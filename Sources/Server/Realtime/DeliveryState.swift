/// One frame waiting for a connection's writer. `publishedAtNs` is set for events, so the
/// writer can record `ws_delivery_lag_seconds` once the frame is on the socket.
struct OutgoingFrame: Sendable {
    var text: String
    var publishedAtNs: Int?
}

/// A connection's delivery rules as a plain value (no I/O, unit-tested): which rooms it is in,
/// which events it has been sent, what to send for an incoming event.
///
/// - Events of one request go out in `seq` order and never twice: `lastSent` holds the
///   highest `seq` sent per request, and anything at or below it is dropped.
/// - A `request:<id>` subscription is *pending* from the moment the connection joins the room
///   until the request's `lastSeq` has been read: events arriving meanwhile are held, then
///   `activate` answers `subscribed` and releases the held events newer than `lastSeq`. So
///   nothing committed after the read is lost, and nothing the client can get from `/sync`
///   (seq ≤ `lastSeq`) is sent.
struct DeliveryState {
    enum Subscription: Equatable {
        case pending([RealtimeEvent])
        case active
    }

    private(set) var rooms: [Room: Subscription] = [:]
    private(set) var lastSent: [String: Int] = [:]
    /// Events held per pending subscription before the oldest are dropped (the client then
    /// sees a `seq` gap and repairs it through `/sync`).
    let heldLimit: Int
    /// `lastSent` entries kept for requests outside any subscribed `request:` room (those seen
    /// through the operators' feed) before they are forgotten.
    let rememberLimit: Int

    init(heldLimit: Int = 1024, rememberLimit: Int = 4096) {
        self.heldLimit = heldLimit
        self.rememberLimit = rememberLimit
    }

    var subscriptionCount: Int { rooms.count }

    func isSubscribed(_ room: Room) -> Bool { rooms[room] != nil }

    /// Starts a subscription; events for `room` are held until ``activate(_:lastSeq:)``.
    /// An active subscription stays active (a repeated subscribe only re-reads `lastSeq`).
    mutating func begin(_ room: Room) {
        if rooms[room] == nil { rooms[room] = .pending([]) }
    }

    /// Completes a subscription: returns the `subscribed` reply followed by the held events
    /// newer than `lastSeq` (and newer than anything already sent), in `seq` order.
    mutating func activate(_ room: Room, lastSeq: Int) -> [OutgoingFrame] {
        var held: [RealtimeEvent] = []
        if case .pending(let events) = rooms[room] { held = events }
        rooms[room] = .active
        if case .request(let id) = room { lastSent[id] = max(lastSent[id] ?? 0, lastSeq) }
        var frames = [OutgoingFrame(text: ServerFrame.subscribed(room, lastSeq: lastSeq))]
        for event in held.sorted(by: { $0.seq < $1.seq }) where shouldSend(event) {
            frames.append(OutgoingFrame(text: event.frame(room: room), publishedAtNs: event.publishedAtNs))
        }
        return frames
    }

    /// Leaves `room`; returns whether the connection was in it.
    @discardableResult
    mutating func remove(_ room: Room) -> Bool {
        rooms.removeValue(forKey: room) != nil
    }

    /// Decides what to do with `event` arriving through `room`: `true` means send it now.
    mutating func deliver(_ event: RealtimeEvent, in room: Room) -> Bool {
        switch rooms[room] {
        case nil:
            return false
        case .pending(var held):
            if held.count >= heldLimit { held.removeFirst() }
            held.append(event)
            rooms[room] = .pending(held)
            return false
        case .active:
            return shouldSend(event)
        }
    }

    /// Records `event` as sent unless its request already got this `seq` or a later one.
    private mutating func shouldSend(_ event: RealtimeEvent) -> Bool {
        if let last = lastSent[event.requestId], event.seq <= last { return false }
        lastSent[event.requestId] = event.seq
        if lastSent.count > rememberLimit + rooms.count { forgetUnsubscribed() }
        return true
    }

    private mutating func forgetUnsubscribed() {
        lastSent = lastSent.filter { rooms[.request($0.key)] != nil }
    }
}
