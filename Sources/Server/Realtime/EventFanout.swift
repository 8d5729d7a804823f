import Logging
import RedisClient
import ServiceLifecycle

/// The instance's one subscriber to `exchange:events`: every message goes to the local
/// ``RealtimeHub``; connections the hub reports as slow consumers are closed here.
///
/// The subscriber has its own connection and thread and resubscribes by itself after a drop
/// (`CLIENT KILL`, Redis restart). Pub/sub doesn't buffer for absent subscribers, so events
/// published while it was down never reach this instance's sockets: clients see a jump in
/// `seq` and repair it with `/sync?afterSeq=` (docs/realtime.md). Here a reconnect is only
/// logged and counted (`ws_pubsub_reconnects_total`, `ws_pubsub_connected`).
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
        let subscriber = RedisSubscriber(configuration: configuration, name: "ws-fanout") { state in
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
                for await event in subscriber.events {
                    switch event {
                    case .connectionLost(let reason):
                        logger.warning("event fan-out lost its Redis pub/sub connection; live events are missed until it is back",
                                       metadata: ["reason": "\(reason)"])
                    case .reconnected(let count):
                        hub.metrics.wsSubscriberReconnects.increment()
                        logger.notice("event fan-out resubscribed to \(channel)", metadata: ["reconnects": "\(count)"])
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
                // Ends the streams above on graceful shutdown or cancellation.
                try? await gracefulShutdown()
                subscriber.shutdown()
                hub.finishSlowConsumers()
            }
        }
    }
}
