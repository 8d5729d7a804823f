import CHiredis
import Glibc

/// Thin helpers over the hiredis C API, shared by ``RedisConnection`` and ``RedisSubscriber``.
/// Every function here touches a `redisContext` and must run on the thread that owns it.
enum Hiredis {
    typealias Context = UnsafeMutablePointer<redisContext>

    /// Connects, sets the socket timeouts and keep-alive, then authenticates, names the
    /// connection and selects the database as configured.
    static func connect(_ configuration: RedisConfiguration) -> Result<Context, RedisError> {
        let endpoint = configuration.endpoint
        guard let context = redisConnectWithTimeout(configuration.host, Int32(clamping: configuration.port), timeval(configuration.connectTimeout))
        else {
            return .failure(.connectionFailed("\(endpoint): cannot allocate a context"))
        }
        if context.pointee.err != 0 {
            let reason = errorText(context)
            redisFree(context)
            return .failure(.connectionFailed("\(endpoint): \(reason)"))
        }
        setTimeout(context, configuration.commandTimeout)
        _ = redisEnableKeepAlive(context)

        var setup: [(what: String, arguments: [String])] = []
        if let password = configuration.password {
            setup.append(("authentication", configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]))
        }
        if let name = configuration.clientName {
            setup.append(("CLIENT SETNAME", ["CLIENT", "SETNAME", name]))
        }
        if configuration.database != 0 {
            setup.append(("SELECT", ["SELECT", String(configuration.database)]))
        }
        for step in setup {
            let reply = command(context, step.arguments.map { Array($0.utf8) })
            switch reply {
            case .success(.error(let message)), .failure(.commandFailed(let message)):
                redisFree(context)
                return .failure(.connectionFailed("\(endpoint): \(step.what) failed: \(message)"))
            case .failure(let error):
                redisFree(context)
                return .failure(error)
            case .success:
                continue
            }
        }
        return .success(context)
    }

    /// Sends one command and waits for its reply (used during connection setup).
    static func command(_ context: Context, _ arguments: [[UInt8]]) -> Result<RedisValue, RedisError> {
        guard append(context, arguments) else {
            return .failure(.connectionFailed("cannot format command"))
        }
        return readReply(context)
    }

    /// Appends one command to the context's output buffer (nothing is written yet).
    static func append(_ context: Context, _ arguments: [[UInt8]]) -> Bool {
        withArgv(arguments) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths) == REDIS_OK
        }
    }

    /// Flushes the output buffer if needed and blocks until one reply is read. After a failure
    /// the context is unusable and must be freed.
    static func readReply(_ context: Context) -> Result<RedisValue, RedisError> {
        var raw: UnsafeMutableRawPointer?
        let status = redisGetReply(context, &raw)
        let savedErrno = errno
        guard status == REDIS_OK, let raw else {
            return .failure(failure(context, errno: savedErrno))
        }
        defer { freeReplyObject(raw) }
        return .success(value(raw.assumingMemoryBound(to: redisReply.self)))
    }

    /// Takes one complete reply already buffered in the reader, if any, without touching the
    /// socket. `.success(nil)` means "need more bytes".
    static func bufferedReply(_ context: Context) -> Result<RedisValue?, RedisError> {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else {
            return .failure(failure(context, errno: 0))
        }
        guard let raw else { return .success(nil) }
        defer { freeReplyObject(raw) }
        return .success(value(raw.assumingMemoryBound(to: redisReply.self)))
    }

    /// Classifies a failed call. In blocking mode hiredis 0.14 reports an expired
    /// `SO_RCVTIMEO`/`SO_SNDTIMEO` as `REDIS_ERR_IO` with `errno == EAGAIN`, and the error
    /// sticks to the context (so the connection has to be replaced either way).
    static func failure(_ context: Context, errno code: Int32) -> RedisError {
        if context.pointee.err == REDIS_ERR_IO && (code == EAGAIN || code == EWOULDBLOCK) {
            return .timeout
        }
        return .connectionFailed(errorText(context))
    }

    /// The context's `errstr`.
    static func errorText(_ context: Context) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Sets the socket send/receive timeout; `nil` or zero means none.
    static func setTimeout(_ context: Context, _ duration: Duration?) {
        _ = redisSetTimeout(context, timeval(duration ?? .zero))
    }

    /// Whether an idle connection has something to read. Between commands nothing is expected,
    /// so readable means the server closed it (or sent garbage): the connection is stale.
    static func isStale(_ context: Context) -> Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// Converts a hiredis reply tree into a ``RedisValue``.
    static func value(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            guard let elements = r.element else { return .array([]) }
            return .array((0..<r.elements).map { index in elements[index].map(value) ?? .null })
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Lays the arguments out in one buffer and calls `body` with hiredis' `argc`, `argv`,
    /// `argvlen` triple; lengths make it binary-safe.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var flat: [UInt8] = []
        flat.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count + 1)
        for argument in arguments {
            offsets.append(flat.count)
            lengths.append(argument.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)
        lengths.append(0)
        return flat.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base.advanced(by: $0).assumingMemoryBound(to: CChar.self) }
            argv.append(nil)
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
