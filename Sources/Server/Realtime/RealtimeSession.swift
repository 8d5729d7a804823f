import Foundation
import NIOCore
import NIOWebSocket
import Prometheus
import Synchronization

/// One authenticated `/ws` connection: answers the client's frames and feeds the hub's events
/// to its socket. It owns no task while idle: ``RealtimeSocketHandler`` hands it each message on
/// the channel's event loop, and a short-lived task works through the messages waiting, one at a
/// time and in order (a subscription awaits the session check and the request's `lastSeq`).
final class RealtimeSession: Sendable {
    enum Message: Sendable {
        case text(String)
        case binary
    }

    /// Messages waiting for their answer before the socket stops reading (TCP then slows the
    /// client down instead of the server buffering its frames).
    static let inboxLimit = 16
    /// How long a slow consumer gets to take its close frame before the socket is closed.
    static let slowConsumerGrace: TimeAmount = .seconds(1)
    /// How long a client gets to answer the server's close frame.
    static let closeGrace: TimeAmount = .seconds(5)

    let actor: Actor
    /// Re-checked by the hub's ``SessionWatch``: an expired or revoked session closes the
    /// socket with 4001.
    let credential: SessionCredential
    let hub: RealtimeHub
    let requests: RequestStore
    let metrics: ServerMetrics
    let limits: ServerConfiguration.Realtime
    let channel: any Channel
    let connection: RealtimeConnection
    /// `ws_messages_total{direction="in"}`, looked up once per socket.
    private let received: Counter

    private struct Inbox {
        var waiting: [Message] = []
        /// A task is working through `waiting`.
        var draining = false
        /// Tells the socket's handler to read again; set while the socket is open.
        var resume: (@Sendable () -> Void)?
    }

    private let inbox = Mutex(Inbox())

    init(
        actor: Actor,
        credential: SessionCredential,
        hub: RealtimeHub,
        requests: RequestStore,
        metrics: ServerMetrics,
        limits: ServerConfiguration.Realtime,
        channel: any Channel
    ) {
        self.actor = actor
        self.credential = credential
        self.hub = hub
        self.requests = requests
        self.metrics = metrics
        self.limits = limits
        self.channel = channel
        self.received = metrics.wsMessages("in")
        self.connection = RealtimeConnection(
            actor: actor,
            writer: FrameWriter(channel: channel, metrics: metrics),
            sendBufferLimit: limits.sendBufferLimit
        ) { [channel, hub] in
            hub.reportSlowConsumer(
                .init {
                    channel.triggerUserOutboundEvent(
                        SocketCloseRequest(code: .policyViolation, reason: "slow consumer", grace: Self.slowConsumerGrace),
                        promise: nil
                    )
                }
            )
        }
    }

    /// The socket is open: the session joins the hub's watch. `resume` is how the handler wants
    /// to hear that the inbox has room again.
    func start(resume: @escaping @Sendable () -> Void) {
        inbox.withLock { $0.resume = resume }
        metrics.wsConnections.increment()
        hub.sessions.add(ObjectIdentifier(self), .init(credential: credential) { self.endSession() })
    }

    /// Closes the socket of an expired or revoked session (4001).
    func endSession() {
        connection.close()
        channel.triggerUserOutboundEvent(
            SocketCloseRequest(code: .unknown(SessionCredential.closeCode), reason: "session expired or revoked", grace: Self.closeGrace),
            promise: nil
        )
    }

    /// The socket closed: the session leaves its rooms and the watch.
    func ended() {
        inbox.withLock {
            $0.resume = nil
            $0.waiting.removeAll()
        }
        hub.sessions.remove(ObjectIdentifier(self))
        connection.close()
        hub.leave(connection, rooms: connection.rooms)
        metrics.wsConnections.decrement()
    }

    /// A message from the client, in arrival order. False when the inbox is full: the handler
    /// stops reading until `resume`.
    func receive(_ message: Message) -> Bool {
        received.increment()
        // After an overflow the connection is being closed; the handler keeps reading only so
        // the close handshake completes.
        guard connection.isOpen else { return true }
        let (startDraining, hasRoom) = inbox.withLock { inbox -> (Bool, Bool) in
            inbox.waiting.append(message)
            let start = !inbox.draining
            inbox.draining = true
            return (start, inbox.waiting.count < Self.inboxLimit)
        }
        if startDraining { Task { await self.drain() } }
        return hasRoom
    }

    /// Answers the waiting messages one at a time; ends when none is left.
    private func drain() async {
        while let message = next() {
            switch message {
            case .text(let text): await handle(text)
            case .binary: connection.reply(ServerFrame.error(.badRequest, "frames must be JSON text"))
            }
        }
    }

    private func next() -> Message? {
        let (message, resume) = inbox.withLock { inbox -> (Message?, (@Sendable () -> Void)?) in
            guard !inbox.waiting.isEmpty else {
                inbox.draining = false
                return (nil, nil)
            }
            let wasFull = inbox.waiting.count == Self.inboxLimit
            return (inbox.waiting.removeFirst(), wasFull ? inbox.resume : nil)
        }
        resume?()
        return message
    }

    private func handle(_ text: String) async {
        let frame: ClientFrame
        do {
            frame = try ClientFrame.parse(text)
        } catch {
            connection.reply(ServerFrame.error(.badRequest, error.message))
            return
        }
        switch frame {
        case .ping:
            connection.reply(ServerFrame.pong)
        case .unsubscribe(let room):
            connection.remove(room)
            hub.leave(connection, room)
            connection.reply(ServerFrame.unsubscribed(room))
        case .subscribe(let room):
            // Every subscribe re-checks the session: a revoked token subscribes to nothing.
            guard await credential.check() != .ended else {
                endSession()
                return
            }
            await subscribe(room, connection)
        }
    }

    /// Joins the room before reading `lastSeq`, holding events that arrive meanwhile, so the
    /// `subscribed` reply and the events after it together miss nothing (see ``DeliveryState``).
    private func subscribe(_ room: Room, _ connection: RealtimeConnection) async {
        let wasSubscribed = connection.isSubscribed(room)
        guard wasSubscribed || connection.subscriptionCount < limits.maxSubscriptionsPerConnection else {
            let message = "at most \(limits.maxSubscriptionsPerConnection) subscriptions per connection"
            connection.reply(ServerFrame.error(.badRequest, message, room: room))
            return
        }
        switch room {
        case .operators:
            guard Access.isOperator(actor) else {
                connection.reply(ServerFrame.error(.forbidden, "the operators room is for operators", room: room))
                return
            }
            connection.begin(room)
            hub.join(connection, room)
            connection.activate(room, lastSeq: 0)
        case .request(let id):
            guard UUIDText.isValid(id) else {
                connection.reply(ServerFrame.error(.forbidden, "no such request, or not yours", room: room))
                return
            }
            connection.begin(room)
            hub.join(connection, room)
            do {
                if let found = try await requests.find(id: id), Access.canView(found.subject, actor) {
                    connection.activate(room, lastSeq: found.lastSeq)
                    return
                }
                // Absent and not-yours look the same: existence is never revealed.
                refuse(room, connection, wasSubscribed: wasSubscribed, ServerFrame.error(.forbidden, "no such request, or not yours", room: room))
            } catch {
                let reply = ServerFrame.error(.unavailable, "could not check the request; retry", room: room)
                refuse(room, connection, wasSubscribed: wasSubscribed, reply)
            }
        }
    }

    private func refuse(_ room: Room, _ connection: RealtimeConnection, wasSubscribed: Bool, _ reply: String) {
        if !wasSubscribed {
            connection.remove(room)
            hub.leave(connection, room)
        }
        connection.reply(reply)
    }
}

/// Wall-clock time in nanoseconds since 1970, comparable with the publisher's `publishedAtNs`.
enum WallClock {
    static func nanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec * 1_000_000_000 + now.tv_nsec
    }
}
