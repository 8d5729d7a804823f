extension QueueScripts {
    /// Age of the oldest job in a stream, on Redis's own clock: `TIME` minus the millisecond part
    /// of the first entry's id (ids are Redis time at XADD), so no second clock is involved.
    /// KEYS: stream. Returns milliseconds, 0 for an empty (or missing) stream.
    static let oldestAge = """
        local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
        if #first == 0 then return 0 end
        local added = tonumber(string.match(first[1][1], '^(%d+)'))
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        return math.max(0, now - added)
        """
}
