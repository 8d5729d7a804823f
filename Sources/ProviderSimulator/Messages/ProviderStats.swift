/// The counters of `GET /stats`. Since start or the last `DELETE /messages`.
public struct ProviderStats: Sendable, Equatable, Codable {
    /// Messages accepted (answered 200), duplicates included, per kind.
    public var received = KindCounts()
    /// Messages answered 503 by the configured error rate, per kind. Not in the message list.
    public var failed = KindCounts()
    /// Accepted messages whose (kind, idempotency key) had been accepted before.
    public var duplicates = 0
    /// Accepted messages whose (kind, idempotency key) was new: `received.total == uniqueKeys + duplicates`.
    public var uniqueKeys = 0
    /// Bodies refused with 400 (malformed JSON, missing or wrong fields).
    public var invalid = 0
    /// Messages currently held in the list.
    public var stored = 0
    /// Messages dropped from the list to stay within `maxMessages`.
    public var dropped = 0
    /// Requests currently waiting out their latency.
    public var inFlight = 0

    public init() {}
}
