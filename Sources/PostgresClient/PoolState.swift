/// The pool's bookkeeping as a value: events in, actions out, no I/O. The pool drives it under
/// a lock and performs the returned actions outside it.
///
/// Invariants: `open <= maxSize`; a connection is idle or lent, never both; waiters are served
/// strictly first-in, first-out.
struct PoolState<Connection> {
    let maxSize: Int
    private(set) var idle: [Connection] = []
    /// Connections open or being opened (idle + lent + connecting).
    private(set) var open = 0
    private(set) var waiters: [Int] = []
    private(set) var closed = false

    init(maxSize: Int) {
        self.maxSize = maxSize
    }

    var lent: Int { open - idle.count }

    enum AcquireAction {
        case use(Connection)
        /// Open a new connection for this caller (a slot is reserved).
        case create
        /// Park this caller under its waiter id.
        case wait
        case fail
    }

    mutating func acquire(waiter id: Int) -> AcquireAction {
        if closed { return .fail }
        if waiters.isEmpty, let connection = idle.popLast() { return .use(connection) }
        if waiters.isEmpty, open < maxSize {
            open += 1
            return .create
        }
        waiters.append(id)
        return .wait
    }

    enum ReleaseAction {
        case none
        case handOver(Connection, to: Int)
        /// A slot freed up while someone waits: open a new connection for that waiter.
        case create(for: Int)
        /// The pool is closed: close this connection.
        case close(Connection)
    }

    /// A healthy connection comes back.
    mutating func release(_ connection: Connection) -> ReleaseAction {
        if closed {
            open -= 1
            return .close(connection)
        }
        if !waiters.isEmpty {
            return .handOver(connection, to: waiters.removeFirst())
        }
        idle.append(connection)
        return .none
    }

    /// A connection broke (or failed to open): its slot is free again.
    mutating func discard() -> ReleaseAction {
        open -= 1
        if !closed, !waiters.isEmpty, open < maxSize {
            open += 1
            return .create(for: waiters.removeFirst())
        }
        return .none
    }

    /// The waiter gave up; `true` if it was still waiting (so the caller must fail it).
    mutating func timeout(waiter id: Int) -> Bool {
        guard let index = waiters.firstIndex(of: id) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Closes the pool: returns the idle connections to close and the waiters to fail.
    mutating func close() -> (idle: [Connection], waiters: [Int]) {
        closed = true
        let result = (idle, waiters)
        open -= idle.count
        idle = []
        waiters = []
        return result
    }
}
