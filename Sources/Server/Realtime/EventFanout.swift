import Logging
import RedisClient
import ServiceLifecycle

/// The instance's one subscriber to `exchange:events`: every message goes to the local
/// ``RealtimeHub``; connections the hub reports as slow consumers are closed here, and the
/// sockets' sessions are re-checked here (``SessionWatch``).
///
/// The subscriber has its own connection and thread and resubscribes by itself after a drop
/// (`CLIENT KILL`, Redis restart). Pub/sub doesn't buffer for absent subscribers, so events
/// published while it was down never reach this instance's sockets: clients see a jump in
/// `seq` and repair it with `/sync?afterSeq=` (docs/realtime.md). Here a reconnect is only
/// logged and counted (`ws_pubsub_reconnects_total`, `ws_pubsub_connected`). Likewise when
/// this instance falls behind: the subscriber's buffer holds `realtime.pubsubBufferLimit`
/// messages and drops the rest (`ws_pubsub_dropped_total`), so memory stays bounded.
struct EventFanout: Service {
    let hub: RealtimeHub
    let redis: RedisConfiguration
    let logger: Logger
    var channel = EventPublisher.channel

    func run() async throws {
        var configuration = redis
        configuration.clientName = hub.subscriberName
        let hub = self.hub
        hub.subscriberStateChanged(connected: false)
        let subscriber = RedisSubscriber(
            configuration: configuration,
            name: "ws-fanout",
            messageBufferLimit: hub.configuration.pubsubBufferLimit
        ) { state in
            hub.subscriberStateChanged(connected: state == .connected)
        }
        defer {
            subscriber.shutdown()
            hub.subscriberStateChanged(connected: false)
        }
        do {
            // `false` (Redis down right now) is fine: the channel is remembered and subscribed
            // once the connection comes up.
            try await subscriber.subscribe([channel])
        } catch {
            logger.warning("event fan-out could not subscribe; retrying in the background", metadata: ["error": "\(error)"])
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await message in subscriber.messages {
                    hub.dispatch(payload: message.payload)
                }
            }
            group.addTask {
                var dropsCounted = 0
                for await event in subscriber.events {
                    switch event {
                    case .connectionLost(let reason):
                        logger.warning(
                            "event fan-out lost its Redis pub/sub connection; live events are missed until it is back",
                            metadata: ["reason": "\(reason)"]
                        )
                    case .reconnected(let count):
                        hub.metrics.wsSubscriberReconnects.increment()
                        logger.notice("event fan-out resubscribed to \(channel)", metadata: ["reconnects": "\(count)"])
                    case .messagesDropped(let total):
                        // Like a reconnect gap: clients see a jump in `seq` and repair it with /sync.
                        if total > dropsCounted { hub.metrics.wsPubsubDropped.increment(by: Int64(total - dropsCounted)) }
                        dropsCounted = max(dropsCounted, total)
                        logger.warning(
                            "event fan-out fell behind; pub/sub messages dropped (clients resync via /sync)",
                            metadata: ["dropped": "\(total)"]
                        )
                    }
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { closing in
                    for await consumer in hub.slowConsumers {
                        closing.addTask { await consumer.close() }
                    }
                }
            }
            group.addTask {
                let interval = Duration.milliseconds(hub.configuration.sessionCheckIntervalMs)
                await cancelWhenGracefulShutdown { await hub.sessions.run(every: interval) }
            }
            group.addTask {
                // Ends the streams above on graceful shutdown or cancellation.
                try? await gracefulShutdown()
                subscriber.shutdown()
                hub.finishSlowConsumers()
            }
        }
    }
}
