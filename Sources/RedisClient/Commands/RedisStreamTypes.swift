/// One stream entry: its ID and field/value pairs.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry ID, e.g. `1700000000000-0`.
    public var id: String
    /// The entry's fields. Empty when ``isDeleted``.
    public var fields: [String: String]
    /// `true` when the entry was deleted (`XDEL`, trimmed) but its ID is still pending: it has no
    /// fields and only needs acknowledging.
    public var isDeleted: Bool

    public init(id: String, fields: [String: String], isDeleted: Bool = false) {
        self.id = id
        self.fields = fields
        self.isDeleted = isDeleted
    }

    /// The value of `field`, if present.
    public subscript(field: String) -> String? {
        fields[field]
    }
}

/// The entries read from one stream by `XREADGROUP`.
public struct RedisStreamRead: Sendable, Hashable {
    /// The stream key.
    public var stream: String
    /// Entries in ID order.
    public var entries: [RedisStreamEntry]
}

/// What `XAUTOCLAIM` returned.
public struct RedisAutoClaimResult: Sendable, Hashable {
    /// Where the next scan should start; `0-0` when the whole pending list was scanned.
    public var nextStart: String
    /// Entries now owned by the claiming consumer (delivery count incremented).
    public var entries: [RedisStreamEntry]
    /// IDs that were pending but whose entries no longer exist; Redis removed them from the
    /// pending list (Redis 7+, empty before).
    public var deletedIDs: [String]
}

/// `XPENDING key group` (the summary form).
public struct RedisPendingSummary: Sendable, Hashable {
    /// Entries delivered and not yet acknowledged.
    public var count: Int
    /// Lowest pending ID, `nil` when none.
    public var smallestID: String?
    /// Highest pending ID, `nil` when none.
    public var greatestID: String?
    /// Pending entries per consumer name.
    public var consumers: [String: Int]
}

/// One row of `XPENDING key group start end count` (the extended form).
public struct RedisPendingEntry: Sendable, Hashable {
    /// The entry ID.
    public var id: String
    /// The consumer that holds it.
    public var consumer: String
    /// Milliseconds since it was last delivered.
    public var idleMilliseconds: Int
    /// How many times it has been delivered.
    public var deliveryCount: Int
}

extension RedisStreamEntry {
    /// Parses `[id, [field, value, …]]`; a nil field list marks a deleted entry.
    init(reply: RedisValue, command: String) throws {
        let parts = try reply.elements(for: command)
        guard parts.count == 2 else { throw reply.unexpected(command, "[id, fields]") }
        let id = try parts[0].text(for: command)
        if parts[1].isNull {
            self.init(id: id, fields: [:], isDeleted: true)
        } else {
            self.init(id: id, fields: try parts[1].fieldMap(for: command))
        }
    }

    /// Parses an array of entries.
    static func list(_ reply: RedisValue, command: String) throws -> [RedisStreamEntry] {
        if reply.isNull { return [] }
        return try reply.elements(for: command).map { try RedisStreamEntry(reply: $0, command: command) }
    }
}
