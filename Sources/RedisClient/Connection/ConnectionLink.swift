import CHiredis

/// The hiredis context behind one ``RedisConnection`` plus its reconnect state. Only the
/// connection's ``DedicatedThread`` calls into it (or `deinit`, when nothing else can).
final class ConnectionLink: @unchecked Sendable {
    private let configuration: RedisConfiguration
    private var context: Hiredis.Context?
    private var retryAt: ContinuousClock.Instant?
    private var backoff: Duration = .zero
    private var lastFailure: RedisError?

    /// The first pause after a failed connection attempt; doubles up to `maxReconnectBackoff`.
    static let initialBackoff: Duration = .milliseconds(100)

    init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Sends the batch in one pipeline — append every command, then read one reply each — and
    /// returns one result per command, in order. If the connection breaks or a reply times out,
    /// that command and every later one fail and the context is freed, so the next batch
    /// reconnects.
    func execute(_ commands: [RedisCommand]) -> [Result<RedisValue, RedisError>] {
        let context: Hiredis.Context
        switch connected() {
        case .success(let c): context = c
        case .failure(let error): return Array(repeating: .failure(error), count: commands.count)
        }

        let readTimeout = readTimeout(for: commands)
        if readTimeout != configuration.commandTimeout {
            Hiredis.setTimeout(context, readTimeout)
        }
        let appended = commands.map { Hiredis.append(context, $0.arguments) }

        var results: [Result<RedisValue, RedisError>] = []
        results.reserveCapacity(commands.count)
        for index in commands.indices {
            guard appended[index] else {
                results.append(.failure(.unexpectedReply("hiredis could not format the command")))
                continue
            }
            switch Hiredis.readReply(context) {
            case .success(.error(let message)):
                results.append(.failure(.commandFailed(message)))
            case .success(let value):
                results.append(.success(value))
            case .failure(let error):
                let error = describe(error)
                disconnect()
                results.append(contentsOf: repeatElement(.failure(error), count: commands.count - index))
                return results
            }
        }
        if readTimeout != configuration.commandTimeout {
            Hiredis.setTimeout(context, configuration.commandTimeout)
        }
        return results
    }

    /// Frees the context, if any.
    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    /// The live context: the current one unless the server closed it, else a new one — unless a
    /// recent attempt failed and the backoff hasn't elapsed, in which case it fails at once.
    private func connected() -> Result<Hiredis.Context, RedisError> {
        if let context {
            if !Hiredis.isStale(context) { return .success(context) }
            disconnect()
        }
        let now = ContinuousClock.now
        if let retryAt, now < retryAt, let lastFailure {
            return .failure(lastFailure)
        }
        switch Hiredis.connect(configuration) {
        case .success(let context):
            self.context = context
            backoff = .zero
            retryAt = nil
            lastFailure = nil
            return .success(context)
        case .failure(let error):
            backoff = backoff == .zero ? Self.initialBackoff : min(backoff * 2, configuration.maxReconnectBackoff)
            retryAt = now + backoff
            lastFailure = error
            return .failure(error)
        }
    }

    /// The socket timeout for a batch: the command timeout, extended for blocking commands.
    private func readTimeout(for commands: [RedisCommand]) -> Duration? {
        var timeout: Duration? = configuration.commandTimeout
        for command in commands {
            switch command.blocking {
            case .none: break
            case .upTo(let block): timeout = timeout.map { max($0, configuration.commandTimeout + block) }
            case .indefinitely: timeout = nil
            }
        }
        return timeout
    }

    private func describe(_ error: RedisError) -> RedisError {
        if case .connectionFailed(let reason) = error {
            return .connectionFailed("\(configuration.endpoint): \(reason)")
        }
        return error
    }
}
