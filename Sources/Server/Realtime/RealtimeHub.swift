import Synchronization

/// This instance's rooms → connections, and the delivery of every event the fan-out receives
/// to the local sockets in its rooms.
///
/// Delivery never waits for a socket: each connection gets the frame appended to its own
/// bounded queue (see ``RealtimeConnection``); a connection whose queue is full is handed to
/// ``slowConsumers`` to be closed, and everyone else carries on.
public final class RealtimeHub: Sendable {
    let configuration: ServerConfiguration.Realtime
    let metrics: ServerMetrics
    /// `CLIENT SETNAME` of this instance's pub/sub connection (unique per instance), so an
    /// operator — or a test — can find it in `CLIENT LIST`.
    public let subscriberName: String
    /// Connections that overflowed their send buffer, for the fan-out service to close.
    let slowConsumers: AsyncStream<SlowConsumer>
    private let slowConsumerSink: AsyncStream<SlowConsumer>.Continuation
    /// The sessions of the open sockets, re-checked by one loop (run by ``EventFanout``).
    let sessions = SessionWatch()
    private let rooms = Mutex<[Room: [ObjectIdentifier: RealtimeConnection]]>([:])
    private let subscriberConnected = Atomic<Bool>(false)

    /// An overflowed connection and how to close it.
    struct SlowConsumer: Sendable {
        let close: @Sendable () async -> Void
    }

    init(configuration: ServerConfiguration.Realtime, metrics: ServerMetrics) {
        self.configuration = configuration
        self.metrics = metrics
        self.subscriberName = "exchange-ws-" + UUIDText.random().prefix(8)
        let (slowConsumers, slowConsumerSink) = AsyncStream<SlowConsumer>.makeStream()
        self.slowConsumers = slowConsumers
        self.slowConsumerSink = slowConsumerSink
        // Every realtime series shows on the first scrape.
        _ = metrics.wsMessages("in")
        _ = metrics.wsMessages("out")
        _ = metrics.wsSubscriberReconnects
        _ = metrics.wsEventsDropped("malformed")
        _ = metrics.wsPubsubDropped
        metrics.wsSubscriberConnected.set(to: 0)
    }

    /// Whether this instance's pub/sub connection is up with its subscription confirmed:
    /// while it isn't, events from the cluster don't reach local sockets (clients repair the
    /// gap through `/sync`).
    public var isSubscriberConnected: Bool { subscriberConnected.load(ordering: .relaxed) }

    func subscriberStateChanged(connected: Bool) {
        subscriberConnected.store(connected, ordering: .relaxed)
        metrics.wsSubscriberConnected.set(to: connected ? 1 : 0)
    }

    /// Local connections in `room`.
    public func connectionCount(in room: String) -> Int {
        guard let room = Room(room) else { return 0 }
        return rooms.withLock { $0[room]?.count ?? 0 }
    }

    func join(_ connection: RealtimeConnection, _ room: Room) {
        rooms.withLock { $0[room, default: [:]][ObjectIdentifier(connection)] = connection }
    }

    func leave(_ connection: RealtimeConnection, _ room: Room) {
        rooms.withLock { rooms in
            rooms[room]?.removeValue(forKey: ObjectIdentifier(connection))
            if rooms[room]?.isEmpty == true { rooms.removeValue(forKey: room) }
        }
    }

    func leave(_ connection: RealtimeConnection, rooms names: [Room]) {
        for room in names { leave(connection, room) }
    }

    func reportSlowConsumer(_ consumer: SlowConsumer) {
        metrics.wsSlowConsumerDisconnects.increment()
        slowConsumerSink.yield(consumer)
    }

    /// Delivers a message from `exchange:events` to the local connections in its rooms. A
    /// connection in both `request:<id>` and `operators` gets the event once, through the
    /// request's room.
    func dispatch(payload: [UInt8]) {
        // No socket of this instance is in any room: nobody to decode the message for.
        guard !rooms.withLock({ $0.isEmpty }) else { return }
        guard let event = RealtimeEvent(payload: payload) else {
            metrics.wsEventsDropped("malformed").increment()
            return
        }
        dispatch(event)
    }

    func dispatch(_ event: RealtimeEvent) {
        let requestRoom = Room.request(event.requestId)
        let toOperators = Room.rooms(of: event).contains(.operators)
        let (inRequest, inOperators) = rooms.withLock { rooms -> ([RealtimeConnection], [RealtimeConnection]) in
            let requestMembers = rooms[requestRoom] ?? [:]
            guard toOperators, let operators = rooms[.operators] else { return (Array(requestMembers.values), []) }
            return (Array(requestMembers.values), operators.filter { requestMembers[$0.key] == nil }.map(\.value))
        }
        if !inRequest.isEmpty {
            let frame = event.frame(room: requestRoom)
            for connection in inRequest { connection.deliver(event, in: requestRoom, frame: frame) }
        }
        if !inOperators.isEmpty {
            let frame = event.frame(room: .operators)
            for connection in inOperators { connection.deliver(event, in: .operators, frame: frame) }
        }
    }

    func finishSlowConsumers() {
        slowConsumerSink.finish()
    }
}
