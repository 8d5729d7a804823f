import Foundation

/// The simulator's memory, as a plain value: the list of accepted messages (bounded, oldest dropped
/// first), the idempotency keys seen, and the counters. No locking, no clock: callers pass the time.
public struct MessageStore: Sendable {
    /// What the provider answers for an accepted message.
    public struct Receipt: Sendable, Equatable {
        public var id: String
        public var duplicate: Bool

        public init(id: String, duplicate: Bool) {
            self.id = id
            self.duplicate = duplicate
        }
    }

    /// Idempotency keys are scoped per kind: an SMS and an email may share a job id.
    private struct KeyScope: Hashable, Sendable {
        var kind: MessageKind
        var key: String
    }

    /// Most messages kept, and most idempotency keys remembered.
    public let capacity: Int
    private var messages: RingBuffer<ReceivedMessage>
    private var firstIds: [KeyScope: String] = [:]
    private var keyOrder: RingBuffer<KeyScope>
    private var counters = ProviderStats()
    private var nextSeq = 1

    public init(capacity: Int) {
        self.capacity = capacity
        self.messages = RingBuffer(capacity: capacity)
        self.keyOrder = RingBuffer(capacity: capacity)
    }

    /// Records an accepted message and says whether its idempotency key was seen before.
    /// A duplicate is listed too (flagged), and answered with the first acceptance's id.
    @discardableResult
    public mutating func accept(_ message: IncomingMessage, at date: Date) -> Receipt {
        let seq = self.nextSeq
        self.nextSeq += 1
        let scope = KeyScope(kind: message.kind, key: message.idempotencyKey)
        let receipt: Receipt
        if let firstId = self.firstIds[scope] {
            receipt = Receipt(id: firstId, duplicate: true)
            self.counters.duplicates += 1
        } else {
            receipt = Receipt(id: "msg_\(seq)", duplicate: false)
            self.counters.uniqueKeys += 1
            self.firstIds[scope] = receipt.id
            if let forgotten = self.keyOrder.append(scope) {
                self.firstIds[forgotten] = nil
            }
        }
        self.counters.received[message.kind] += 1
        let stored = ReceivedMessage(id: receipt.id, seq: seq, incoming: message, duplicate: receipt.duplicate, receivedAt: date)
        if self.messages.append(stored) != nil {
            self.counters.dropped += 1
        }
        return receipt
    }

    /// Counts a message answered with a simulated failure. It is not listed, and its key is not
    /// remembered: the client's retry is not a duplicate.
    public mutating func recordFailure(of kind: MessageKind) {
        self.counters.failed[kind] += 1
    }

    /// Counts a body refused as invalid.
    public mutating func recordInvalid() {
        self.counters.invalid += 1
    }

    /// Matching messages in arrival order; with a `limit`, the latest `limit` of them.
    public func messages(matching filter: MessageFilter) -> [ReceivedMessage] {
        var found: [ReceivedMessage] = []
        let limit = filter.limit ?? Int.max
        var position = self.messages.count - 1
        while position >= 0, found.count < limit {
            let message = self.messages[position]
            if filter.matches(message) { found.append(message) }
            position -= 1
        }
        return found.reversed()
    }

    public var stats: ProviderStats {
        var stats = self.counters
        stats.stored = self.messages.count
        return stats
    }

    /// Forgets every message, key and counter (arrival numbers keep increasing). Returns how many
    /// messages were dropped.
    @discardableResult
    public mutating func clear() -> Int {
        let count = self.messages.count
        self.messages.removeAll()
        self.keyOrder.removeAll()
        self.firstIds = [:]
        self.counters = ProviderStats()
        return count
    }
}
