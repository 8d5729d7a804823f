/// The Lua scripts that make each queue step atomic in Redis: a job is never both acknowledged
/// and lost, nor moved without being removed. Run with `evalSHA` (loaded once per process).
///
/// A stream holds only live jobs: every finished entry (completed, retried, dead) is
/// acknowledged *and* deleted in the same script, so `XLEN − XPENDING` counts the jobs waiting.
enum QueueScripts {
    /// Enqueues jobs in order. KEYS: stream. ARGV: one value per ``JobField`` per job, in
    /// stream order. Returns the new entry ids. Never trims: the dispatcher
    /// bounds a stream by backpressure instead (it stops while the stream is over its limit).
    static let enqueue = """
        local ids = {}
        for i = 1, #ARGV, \(JobField.allCases.count) do
            ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', \(JobField.luaFromArguments(start: "i")))
        end
        return ids
        """

    /// A job succeeded. KEYS: stream [, audit stream]. ARGV: group, entry id, then the audit
    /// record's field/value pairs (used only with an audit stream, and only by the worker that
    /// still held the entry). Returns 1 when this call acknowledged it.
    static let complete = """
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        if KEYS[2] and acked == 1 then
            local fields = {}
            for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
            redis.call('XADD', KEYS[2], '*', unpack(fields))
        end
        return acked
        """

    /// A job failed and will run again. KEYS: stream, delayed set. ARGV: group, entry id, due
    /// time (Unix ms), delayed member. Returns 1 when this call acknowledged the entry (and so
    /// scheduled the retry); 0 when another worker already had (a reclaimed duplicate).
    static let retry = """
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        if acked == 1 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
        redis.call('XDEL', KEYS[1], ARGV[2])
        return acked
        """

    /// A job used its last attempt. KEYS: stream, dead-letter stream. ARGV: group, entry id,
    /// then the record's field/value pairs. The dead-letter stream is never trimmed.
    static let deadLetter = """
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        if acked == 1 then
            local fields = {}
            for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
            redis.call('XADD', KEYS[2], '*', unpack(fields))
        end
        redis.call('XDEL', KEYS[1], ARGV[2])
        return acked
        """

    /// Moves due retries back onto their stream: ZRANGEBYSCORE + XADD + ZREM in one step.
    /// KEYS: delayed set, stream. ARGV: now (Unix ms), most to move. Returns how many moved.
    static let moveDue = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(due) do
            local ok, job = pcall(cjson.decode, member)
            if ok and type(job) == 'table' then
                redis.call('XADD', KEYS[2], '*', \(JobField.luaRestoring("job", now: "ARGV[1]")))
            end
            redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """

    /// Puts one dead letter back on its stream with attempts reset. KEYS: dead stream, stream.
    /// ARGV: dead entry id, now (Unix ms). Returns the new entry id, or nil when there is no
    /// such dead letter.
    static let redrive = """
        local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
        if #entries == 0 then return false end
        local flat = entries[1][2]
        local record = {}
        for i = 1, #flat, 2 do record[flat[i]] = flat[i + 1] end
        local id = redis.call('XADD', KEYS[2], '*', \(JobField.luaRestoring("record", now: "ARGV[2]", attempt: "'1'")))
        redis.call('XDEL', KEYS[1], ARGV[1])
        return id
        """

    /// One consistent look at a queue. KEYS: stream, delayed set, dead stream. ARGV: group.
    /// Returns {stream length, pending (delivered, unacknowledged), delayed, dead}.
    static let depth = """
        local length = redis.call('XLEN', KEYS[1])
        local pending = 0
        local summary = redis.pcall('XPENDING', KEYS[1], ARGV[1])
        if type(summary) == 'table' and summary.err == nil then pending = tonumber(summary[1]) or 0 end
        return {length, pending, redis.call('ZCARD', KEYS[2]), redis.call('XLEN', KEYS[3])}
        """
}
