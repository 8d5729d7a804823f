/// Streams and consumer groups (durable queues).
extension RedisCommandExecutor {
    /// `XADD stream [MAXLEN ~ n] id field value …`; returns the new entry's ID.
    @discardableResult
    public func xadd(
        _ stream: String,
        id: String = "*",
        maxlenApprox: Int? = nil,
        fields: [(field: String, value: String)]
    ) async throws -> String {
        var arguments = ["XADD", stream]
        if let maxlenApprox { arguments += ["MAXLEN", "~", String(maxlenApprox)] }
        arguments.append(id)
        for (field, value) in fields {
            arguments += [field, value]
        }
        return try await send(arguments).text(for: "XADD")
    }

    /// `XGROUP CREATE stream group id [MKSTREAM]`; `false` when the group already existed
    /// (`BUSYGROUP`), which is not an error.
    @discardableResult
    public func xgroupCreate(_ stream: String, group: String, id: String = "$", mkstream: Bool = true) async throws -> Bool {
        var arguments = ["XGROUP", "CREATE", stream, group, id]
        if mkstream { arguments.append("MKSTREAM") }
        do {
            try await send(arguments)
            return true
        } catch let error as RedisError where error.replyPrefix == "BUSYGROUP" {
            return false
        }
    }

    /// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key … id …`.
    ///
    /// Use id `>` for new entries, `0` for this consumer's pending ones. With `blockMs` (0 =
    /// forever) Redis waits for entries; send that through a dedicated connection. Returns only
    /// streams that had entries; empty when the block timed out.
    public func xreadgroup(
        group: String,
        consumer: String,
        streams: [(key: String, id: String)],
        count: Int? = nil,
        blockMs: Int? = nil,
        noAck: Bool = false
    ) async throws -> [RedisStreamRead] {
        var arguments = ["XREADGROUP", "GROUP", group, consumer]
        if let count { arguments += ["COUNT", String(count)] }
        if let blockMs { arguments += ["BLOCK", String(blockMs)] }
        if noAck { arguments.append("NOACK") }
        arguments.append("STREAMS")
        arguments += streams.map(\.key) + streams.map(\.id)
        let blocking: RedisCommand.Blocking =
            switch blockMs {
            case nil: .none
            case 0: .indefinitely
            case let ms?: .upTo(.milliseconds(ms))
            }
        let reply = try await execute(RedisCommand(arguments, blocking: blocking))
        if reply.isNull { return [] }
        return try reply.elements(for: "XREADGROUP").map { streamReply in
            let parts = try streamReply.elements(for: "XREADGROUP")
            guard parts.count == 2 else { throw streamReply.unexpected("XREADGROUP", "[stream, entries]") }
            return RedisStreamRead(
                stream: try parts[0].text(for: "XREADGROUP"),
                entries: try RedisStreamEntry.list(parts[1], command: "XREADGROUP")
            )
        }
    }

    /// ``xreadgroup(group:consumer:streams:count:blockMs:noAck:)`` for one stream; returns its
    /// entries.
    public func xreadgroup(
        group: String,
        consumer: String,
        stream: String,
        id: String = ">",
        count: Int? = nil,
        blockMs: Int? = nil
    ) async throws -> [RedisStreamEntry] {
        let reads = try await xreadgroup(group: group, consumer: consumer, streams: [(stream, id)], count: count, blockMs: blockMs)
        return reads.flatMap(\.entries)
    }

    /// `XACK stream group id …`; the number of entries acknowledged.
    @discardableResult
    public func xack(_ stream: String, group: String, ids: [String]) async throws -> Int {
        try await send(["XACK", stream, group] + ids).integer(for: "XACK")
    }

    /// `XAUTOCLAIM stream group consumer min-idle-time start [COUNT n]`: takes over entries
    /// pending longer than `minIdleMs` (e.g. from a worker that died).
    public func xautoclaim(
        _ stream: String,
        group: String,
        consumer: String,
        minIdleMs: Int,
        start: String = "0-0",
        count: Int? = nil
    ) async throws -> RedisAutoClaimResult {
        var arguments = ["XAUTOCLAIM", stream, group, consumer, String(minIdleMs), start]
        if let count { arguments += ["COUNT", String(count)] }
        let reply = try await send(arguments)
        let parts = try reply.elements(for: "XAUTOCLAIM")
        guard parts.count >= 2 else { throw reply.unexpected("XAUTOCLAIM", "[next, entries, deleted]") }
        let deleted = parts.count > 2 ? try parts[2].elements(for: "XAUTOCLAIM").map { try $0.text(for: "XAUTOCLAIM") } : []
        return RedisAutoClaimResult(
            nextStart: try parts[0].text(for: "XAUTOCLAIM"),
            entries: try RedisStreamEntry.list(parts[1], command: "XAUTOCLAIM"),
            deletedIDs: deleted
        )
    }

    /// `XPENDING stream group`: how many entries are pending, and for whom.
    public func xpending(_ stream: String, group: String) async throws -> RedisPendingSummary {
        let reply = try await send(["XPENDING", stream, group])
        let parts = try reply.elements(for: "XPENDING")
        guard parts.count == 4 else { throw reply.unexpected("XPENDING", "a 4-element summary") }
        var consumers: [String: Int] = [:]
        if !parts[3].isNull {
            for consumer in try parts[3].elements(for: "XPENDING") {
                let pair = try consumer.elements(for: "XPENDING")
                guard pair.count == 2 else { throw consumer.unexpected("XPENDING", "[consumer, count]") }
                consumers[try pair[0].text(for: "XPENDING")] = try pair[1].integer(for: "XPENDING")
            }
        }
        return RedisPendingSummary(
            count: try parts[0].integer(for: "XPENDING"),
            smallestID: try parts[1].optionalText(for: "XPENDING"),
            greatestID: try parts[2].optionalText(for: "XPENDING"),
            consumers: consumers
        )
    }

    /// `XPENDING stream group [IDLE ms] start end count [consumer]`: pending entries with their
    /// delivery counts (for dead-lettering).
    public func xpending(
        _ stream: String,
        group: String,
        start: String = "-",
        end: String = "+",
        count: Int,
        consumer: String? = nil,
        minIdleMs: Int? = nil
    ) async throws -> [RedisPendingEntry] {
        var arguments = ["XPENDING", stream, group]
        if let minIdleMs { arguments += ["IDLE", String(minIdleMs)] }
        arguments += [start, end, String(count)]
        if let consumer { arguments.append(consumer) }
        return try await send(arguments).elements(for: "XPENDING").map { row in
            let parts = try row.elements(for: "XPENDING")
            guard parts.count == 4 else { throw row.unexpected("XPENDING", "[id, consumer, idle, deliveries]") }
            return RedisPendingEntry(
                id: try parts[0].text(for: "XPENDING"),
                consumer: try parts[1].text(for: "XPENDING"),
                idleMilliseconds: try parts[2].integer(for: "XPENDING"),
                deliveryCount: try parts[3].integer(for: "XPENDING")
            )
        }
    }

    /// `XLEN stream`.
    public func xlen(_ stream: String) async throws -> Int {
        try await send(["XLEN", stream]).integer(for: "XLEN")
    }

    /// `XRANGE stream start end [COUNT n]` (e.g. to inspect a dead-letter stream).
    public func xrange(_ stream: String, start: String = "-", end: String = "+", count: Int? = nil) async throws -> [RedisStreamEntry] {
        var arguments = ["XRANGE", stream, start, end]
        if let count { arguments += ["COUNT", String(count)] }
        return try RedisStreamEntry.list(try await send(arguments), command: "XRANGE")
    }

    /// `XDEL stream id …`; the number of entries deleted.
    @discardableResult
    public func xdel(_ stream: String, ids: [String]) async throws -> Int {
        try await send(["XDEL", stream] + ids).integer(for: "XDEL")
    }
}
