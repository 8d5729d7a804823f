/// A message received on a subscribed channel or pattern.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// The channel it was published to.
    public var channel: String
    /// The pattern that matched, for messages received through `PSUBSCRIBE`.
    public var pattern: String?
    /// The published bytes.
    public var payload: [UInt8]

    public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }

    /// The payload decoded as UTF-8.
    public var string: String {
        String(decoding: payload, as: UTF8.self)
    }
}

/// Where a ``RedisSubscriber``'s connection stands.
public enum RedisSubscriberState: String, Sendable, Hashable {
    /// Making the first connection.
    case connecting
    /// Connected, with every subscription confirmed by Redis.
    case connected
    /// The connection failed or dropped; reconnecting with backoff.
    case disconnected
    /// ``RedisSubscriber/shutdown()`` was called.
    case closed
}

/// Connection changes, delivered on ``RedisSubscriber/events`` so consumers can recover what
/// pub/sub lost (pub/sub doesn't buffer for absent subscribers).
public enum RedisSubscriberEvent: Sendable, Hashable {
    /// An established connection dropped. Messages published from now until ``reconnected(count:)``
    /// are lost.
    case connectionLost(reason: String)
    /// Connected again after a drop or failed attempts, with every subscription re-established:
    /// messages may have been lost in the gap, so resynchronise from the source of truth now.
    /// `count` is ``RedisSubscriber/reconnects``.
    case reconnected(count: Int)
    /// The consumer fell behind and its buffer (``RedisSubscriber/init(configuration:name:messageBufferLimit:onStateChange:)``)
    /// filled up: messages are being dropped. Sent when dropping starts and again when it stops,
    /// with the running total; resynchronise from the source of truth as after a reconnect.
    case messagesDropped(total: Int)
}
