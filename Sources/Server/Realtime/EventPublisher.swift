import Foundation
import Logging
import RedisClient

/// Publishes committed events to Redis pub/sub (one channel for the whole cluster); every
/// instance's `EventFanout` delivers them to its local sockets by room.
///
/// Publishing happens after commit and is best effort: if Redis drops a message the gap shows
/// to clients as a jump in `seq`, which they repair through `/sync` (README, "Real-time").
public struct EventPublisher: Sendable {
    /// The channel under the default `redis.keyPrefix`; a server publishes on its own `channel`.
    public static let channel = RedisNamespace.standard.events

    let redis: RedisClient
    let logger: Logger
    var channel = Self.channel

    /// The message body: everything a socket frame needs, plus the commit time for lag metrics.
    static func message(_ event: RequestEvent, request: ExchangeRequest, publishedAt: Date) -> JSON {
        .object([
            ("requestId", .string(request.id)),
            ("ownerId", .string(request.userId)),
            ("status", .string(request.status.rawValue)),
            ("seq", .int(event.seq)),
            ("event", .string(event.event)),
            ("fromStatus", .string(event.fromStatus.rawValue)),
            ("data", .raw(event.data)),
            ("publishedAt", .string(ISO8601.string(publishedAt))),
            ("publishedAtNs", .int(Int(publishedAt.timeIntervalSince1970 * 1e9))),
        ])
    }

    func publish(_ event: RequestEvent, request: ExchangeRequest) async {
        let body = Self.message(event, request: request, publishedAt: Date()).serialized
        do {
            _ = try await redis.publish(channel, body)
        } catch {
            logger.warning("event not published; clients will repair the gap via sync", metadata: ["requestId": "\(request.id)", "seq": "\(event.seq)"])
        }
    }
}
