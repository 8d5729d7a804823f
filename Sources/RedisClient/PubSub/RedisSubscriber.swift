import Foundation

/// A dedicated pub/sub connection with its own thread.
///
/// Subscriptions are remembered: when the connection drops (Redis restart, `CLIENT KILL`,
/// network), the subscriber reconnects with backoff, subscribes to everything again, counts
/// ``reconnects`` and emits ``RedisSubscriberEvent/reconnected(count:)`` on ``events``.
///
/// ``messages`` and ``events`` are single-consumer streams; cancelling the task that iterates
/// one finishes it for good. ``messages`` buffers up to `messageBufferLimit` messages and drops the rest, so keep consuming it.
public final class RedisSubscriber: Sendable {
    /// Messages from every subscribed channel and pattern, in the order Redis sent them.
    public let messages: AsyncStream<RedisPubSubMessage>
    /// Connection losses and recoveries (the last 64 are kept if nobody reads them).
    public let events: AsyncStream<RedisSubscriberEvent>
    private let core: SubscriberCore

    /// Creates the subscriber and starts connecting at once on a thread of its own.
    /// - Parameters:
    ///   - name: the thread's name.
    ///   - onStateChange: called on the subscriber's thread whenever ``state`` changes; keep it
    ///     quick (update a gauge, log).
    ///   - messageBufferLimit: messages held for a consumer that has not read them yet; beyond
    ///     it new messages are dropped (counted in ``droppedMessages``, reported as
    ///     ``RedisSubscriberEvent/messagesDropped(total:)``), so memory stays bounded.
    public init(
        configuration: RedisConfiguration = .init(),
        name: String = "redis-subscriber",
        messageBufferLimit: Int = 10_000,
        onStateChange: (@Sendable (RedisSubscriberState) -> Void)? = nil
    ) {
        let (messages, messageContinuation) = AsyncStream<RedisPubSubMessage>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, messageBufferLimit))
        )
        let (events, eventContinuation) = AsyncStream<RedisSubscriberEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        self.messages = messages
        self.events = events
        let core = SubscriberCore(
            configuration: configuration,
            messages: messageContinuation,
            events: eventContinuation,
            onStateChange: onStateChange
        )
        self.core = core
        let thread = Thread { core.run() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        core.stop()
    }

    /// Messages dropped so far because the consumer's buffer was full.
    public var droppedMessages: Int { core.dropped.load(ordering: .relaxed) }

    /// The connection's current state.
    public var state: RedisSubscriberState {
        core.shared.withLock { $0.state }
    }

    /// How many times the connection came back after a drop or failed attempts.
    public var reconnects: Int {
        core.shared.withLock { $0.reconnects }
    }

    /// The channels this subscriber wants (and re-subscribes to after a reconnect).
    public var channels: Set<String> {
        core.shared.withLock { $0.channels }
    }

    /// The patterns this subscriber wants.
    public var patterns: Set<String> {
        core.shared.withLock { $0.patterns }
    }

    /// `SUBSCRIBE channel …`. Returns `true` once Redis confirmed it; `false` when not connected
    /// right now — the channels are remembered and subscribed when the connection comes back
    /// (followed by ``RedisSubscriberEvent/reconnected(count:)``).
    /// - Throws: ``RedisError/closed`` after ``shutdown()``.
    @discardableResult
    public func subscribe(_ channels: [String]) async throws -> Bool {
        try await core.change(.subscribe, channels)
    }

    /// `PSUBSCRIBE pattern …`; same contract as ``subscribe(_:)``.
    @discardableResult
    public func psubscribe(_ patterns: [String]) async throws -> Bool {
        try await core.change(.psubscribe, patterns)
    }

    /// `UNSUBSCRIBE channel …`. Returns `true` once Redis confirmed it (no more messages from
    /// these channels after that); `false` when not connected — they won't be resubscribed.
    @discardableResult
    public func unsubscribe(_ channels: [String]) async throws -> Bool {
        try await core.change(.unsubscribe, channels)
    }

    /// `PUNSUBSCRIBE pattern …`; same contract as ``unsubscribe(_:)``.
    @discardableResult
    public func punsubscribe(_ patterns: [String]) async throws -> Bool {
        try await core.change(.punsubscribe, patterns)
    }

    /// Closes the connection, ends the thread and finishes both streams. Returns at once;
    /// pending subscription changes throw ``RedisError/closed``.
    public func shutdown() {
        core.stop()
    }
}
