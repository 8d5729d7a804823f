import Foundation
import Logging
import RedisClient

/// Publishes committed events to Redis pub/sub (one channel for the whole cluster); every
/// instance's `EventFanout` delivers them to its local sockets by room.
///
/// Publishing happens after commit and is best effort: if Redis drops a message the gap shows
/// to clients as a jump in `seq`, which they repair through `/sync` (docs/realtime.md).
public struct EventPublisher: Sendable {
    public static let channel = "exchange:events"

    let redis: RedisClient
    let logger: Logger

    func publish(_ event: RequestEvent, request: ExchangeRequest) async {
        let message = RealtimeEvent(event, of: request, publishedAt: Date())
        do {
            _ = try await redis.publish(Self.channel, message.encoded())
        } catch {
            logger.warning("event not published; clients will repair the gap via sync", metadata: ["requestId": "\(request.id)", "seq": "\(event.seq)"])
        }
    }
}
