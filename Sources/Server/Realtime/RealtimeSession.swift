import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore

/// One authenticated `/ws` connection: reads client frames, answers them, and runs the
/// writer that drains the connection's queue onto the socket.
struct RealtimeSession: Sendable {
    let actor: Actor
    /// Re-checked every `realtime.sessionCheckIntervalMs`: an expired or revoked session closes
    /// the socket with 4001.
    let credential: SessionCredential
    let hub: RealtimeHub
    let requests: RequestStore
    let metrics: ServerMetrics
    let limits: ServerConfiguration.Realtime
    let channel: any Channel

    /// How long a slow consumer gets to take its close frame before the socket is closed.
    static let slowConsumerGrace: Duration = .seconds(1)

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let hub = self.hub
        let channel = self.channel
        let writer = FrameWriter(channel: channel, metrics: metrics)
        let connection = RealtimeConnection(actor: actor, writer: writer, sendBufferLimit: limits.sendBufferLimit) {
            hub.reportSlowConsumer(
                .init {
                    await withTaskGroup(of: Void.self) { closing in
                        closing.addTask { try? await outbound.close(.policyViolation, reason: "slow consumer") }
                        closing.addTask {
                            try? await Task.sleep(for: Self.slowConsumerGrace)
                            try? await channel.close()
                        }
                    }
                }
            )
        }
        let metrics = self.metrics
        metrics.wsConnections.increment()
        let endSession: @Sendable () async -> Void = {
            connection.close()
            try? await outbound.close(.unknown(SessionCredential.closeCode), reason: "session expired or revoked")
        }
        // The session is re-checked by the hub's one loop for all sockets (`SessionWatch`), and
        // frames go straight to the channel (`FrameWriter`): this task is the socket's only one.
        let id = ObjectIdentifier(connection)
        hub.sessions.add(id, .init(credential: credential, end: endSession))
        await read(inbound, connection, endSession: endSession, logger: logger)
        hub.sessions.remove(id)
        connection.close()
        hub.leave(connection, rooms: connection.rooms)
        metrics.wsConnections.decrement()
    }

    // MARK: Reading

    private func read(
        _ inbound: WebSocketInboundStream,
        _ connection: RealtimeConnection,
        endSession: @Sendable () async -> Void,
        logger: Logger
    ) async {
        let received = metrics.wsMessages("in")
        do {
            for try await message in inbound.messages(maxSize: limits.maxFrameBytes) {
                received.increment()
                // After an overflow the connection is being closed; keep reading only so the
                // close handshake completes.
                guard connection.isOpen else { continue }
                switch message {
                case .text(let text):
                    await handle(text, connection, endSession: endSession)
                case .binary:
                    connection.reply(ServerFrame.error(.badRequest, "frames must be JSON text"))
                }
            }
        } catch {
            logger.debug("WebSocket read ended", metadata: ["error": "\(error)"])
        }
    }

    private func handle(_ text: String, _ connection: RealtimeConnection, endSession: @Sendable () async -> Void) async {
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
                await endSession()
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
