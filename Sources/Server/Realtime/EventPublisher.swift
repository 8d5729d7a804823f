import Foundation
import Logging
import RedisClient

/// Publishes committed events to Redis pub/sub (one channel for the whole cluster); every
/// instance's `EventFanout` delivers them to its local sockets by room.
///
/// Publishing happens after commit and is best effort: if Redis drops a message the gap shows
/// to clients as a jump in `seq`, which they repair through `/sync` (docs/realtime.md).
public struct EventPublisher: Sendable {
    /// The channel under the default `redis.keyPrefix`; a server publishes on its own `channel`.
    public static let channel = RedisNamespace.standard.events

    let redis: RedisClient
    let logger: Logger
    var channel = Self.channel

    func publish(_ event: RequestEvent, request: ExchangeRequest) async {
        let message = RealtimeEvent(event, of: request, publishedAt: Date())
        do {
            _ = try await redis.publish(channel, message.encoded())
        } catch {
            logger.warning(
                "event not published; clients will repair the gap via sync",
                metadata: ["requestId": "\(request.id)", "seq": "\(event.seq)"]
            )
        }
    }
}
