import Synchronization

/// A fixed-size pool of `PostgresConnection`s — the subject of the lab's experiments.
///
/// - at most `poolSize` connections are ever open;
/// - callers wait first-in, first-out, for at most `acquireTimeout` (`PostgresError.poolTimeout`);
/// - a connection that broke in use is discarded on release and its slot reopened on demand;
/// - connections open lazily, so a pool can be created while the database is down.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    private let observer: PostgresPoolObserver
    private let shared: Mutex<Shared>

    private struct Waiter {
        let continuation: CheckedContinuation<PostgresConnection, Error>
        let enqueued: ContinuousClock.Instant
        var timeout: Task<Void, Never>?
    }

    private struct Shared {
        var state: PoolState<PostgresConnection>
        var waiters: [Int: Waiter] = [:]
        var nextWaiterID = 0
        var nextConnectionIndex = 0
    }

    public init(configuration: PostgresConfiguration, observer: PostgresPoolObserver = .none) {
        self.configuration = configuration
        self.observer = observer
        self.shared = Mutex(Shared(state: PoolState(maxSize: max(1, configuration.poolSize))))
    }

    /// Open / idle / lent connections and parked callers, for `db_pool_*` gauges.
    public func statistics() -> PoolStatistics {
        shared.withLock { s in
            PoolStatistics(open: s.state.open, idle: s.state.idle.count, used: s.state.lent, pending: s.state.waiters.count)
        }
    }

    // MARK: - Using connections

    /// Lends a connection to `body` and takes it back afterwards, discarding it if it broke.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    public func query(_ query: PostgresQuery, _ parameters: [(any PostgresBindable)?] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query, parameters) }
    }

    public func execute(_ sql: String) async throws {
        try await withConnection { try await $0.execute(sql) }
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one connection; any thrown error rolls back and
    /// is rethrown. A failed `ROLLBACK` means the session state is unknown: the connection is
    /// discarded.
    ///
    /// `BEGIN` travels with the body's first statement, and a last statement run with
    /// ``PostgresConnection/query(_:_:thenCommit:)`` carries the `COMMIT` (then none is sent
    /// here): one round trip each fewer (docs/performance.md).
    public func transaction<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            connection.beginLazily(isolation.beginStatement)
            let result: T
            do {
                result = try await body(connection)
            } catch {
                if connection.endLazyTransaction() {
                    do { try await connection.execute("ROLLBACK") } catch { connection.markBroken() }
                }
                throw error
            }
            if connection.endLazyTransaction() {
                try await connection.execute("COMMIT")
            }
            return result
        }
    }

    /// Closes idle connections, fails parked callers, and closes lent ones as they come back.
    public func close() {
        let (idle, waiters) = shared.withLock { s -> ([PostgresConnection], [Waiter]) in
            let closed = s.state.close()
            let parked = closed.waiters.compactMap { s.waiters.removeValue(forKey: $0) }
            return (closed.idle, parked)
        }
        idle.forEach { $0.close() }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError.poolClosed)
        }
    }

    // MARK: - Acquire and release

    public func acquire() async throws -> PostgresConnection {
        let start = ContinuousClock.now
        let connection: PostgresConnection
        do {
            connection = try await parkOrTake(start: start)
        } catch let error as PostgresError {
            if case .poolTimeout = error { observer.timedOut(ContinuousClock.now - start) }
            throw error
        }
        observer.acquired(ContinuousClock.now - start)
        return connection
    }

    private func parkOrTake(start: ContinuousClock.Instant) async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { continuation in
            let action = shared.withLock { s -> PoolState<PostgresConnection>.AcquireAction in
                let id = s.nextWaiterID
                s.nextWaiterID += 1
                let action = s.state.acquire(waiter: id)
                if case .wait = action {
                    s.waiters[id] = Waiter(continuation: continuation, enqueued: start, timeout: startTimeout(for: id))
                }
                return action
            }
            switch action {
            case .use(let connection): continuation.resume(returning: connection)
            case .create: openConnection { continuation.resume(with: $0) }
            case .wait: break
            case .fail: continuation.resume(throwing: PostgresError.poolClosed)
            }
        }
    }

    public func release(_ connection: PostgresConnection) {
        let broken = connection.isBroken
        let action = shared.withLock { s in broken ? s.state.discard() : s.state.release(connection) }
        if broken { connection.close() }
        perform(action)
    }

    private func perform(_ action: PoolState<PostgresConnection>.ReleaseAction) {
        switch action {
        case .none:
            break
        case .close(let connection):
            connection.close()
        case .handOver(let connection, let id):
            guard let waiter = shared.withLock({ $0.waiters.removeValue(forKey: id) }) else {
                // Unreachable by construction: a waiter leaves the state and the map together.
                release(connection)
                return
            }
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: connection)
        case .create(let id):
            openConnection { [self] result in
                guard let waiter = shared.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
                waiter.timeout?.cancel()
                waiter.continuation.resume(with: result)
            }
        }
    }

    /// Opens a connection for a reserved slot; on failure frees the slot (which may hand it to
    /// the next waiter) and reports the error.
    private func openConnection(_ completion: @escaping @Sendable (Result<PostgresConnection, Error>) -> Void) {
        let index = shared.withLock { s in
            defer { s.nextConnectionIndex += 1 }
            return s.nextConnectionIndex
        }
        Task { [self] in
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, index: index, onQuery: observer.queryFinished)
                completion(.success(connection))
            } catch {
                let action = shared.withLock { $0.state.discard() }
                completion(.failure(error))
                perform(action)
            }
        }
    }

    private func startTimeout(for id: Int) -> Task<Void, Never> {
        let timeout = configuration.acquireTimeout
        return Task { [self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            let waiter = shared.withLock { s -> Waiter? in
                guard s.state.timeout(waiter: id) else { return nil }
                return s.waiters.removeValue(forKey: id)
            }
            waiter?.continuation.resume(throwing: PostgresError.poolTimeout(pool: configuration.name, waited: timeout))
        }
    }
}

public enum PostgresIsolation: Sendable {
    case readCommitted, repeatableRead, serializable
    case repeatableReadReadOnly

    var beginStatement: String {
        switch self {
        case .readCommitted: "BEGIN"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        case .repeatableReadReadOnly: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }
}

public struct PoolStatistics: Sendable, Equatable {
    public var open: Int
    public var idle: Int
    public var used: Int
    public var pending: Int
}

/// Hooks for metrics; the server points them at its Prometheus collectors.
public struct PostgresPoolObserver: Sendable {
    /// A caller got a connection after waiting this long.
    public var acquired: @Sendable (Duration) -> Void
    /// A caller gave up after waiting this long (`acquireTimeout`): `PostgresError.poolTimeout`.
    public var timedOut: @Sendable (Duration) -> Void
    public var queryFinished: @Sendable (_ query: String, _ duration: Duration, _ succeeded: Bool) -> Void

    public init(
        acquired: @escaping @Sendable (Duration) -> Void,
        timedOut: @escaping @Sendable (Duration) -> Void = { _ in },
        queryFinished: @escaping @Sendable (String, Duration, Bool) -> Void
    ) {
        self.acquired = acquired
        self.timedOut = timedOut
        self.queryFinished = queryFinished
    }

    public static let none = PostgresPoolObserver(acquired: { _ in }, queryFinished: { _, _, _ in })
}
