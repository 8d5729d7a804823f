import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle

/// Moves committed outbox rows onto the queue streams (docs/design.md §6).
///
/// Each round, in one transaction: lock up to `batchSize` undispatched rows
/// (`FOR UPDATE SKIP LOCKED`, so several dispatchers — in several processes — share the work),
/// XADD them in id order (one script per stream), mark them dispatched, commit. A crash between
/// the XADD and the commit re-adds them later: delivery is at least once, and the provider
/// dedupes by the job's idempotency key.
///
/// **Backpressure, not trimming.** Nothing committed is ever trimmed from a stream. Before
/// each round the dispatcher reads every stream's length (`XLEN`: waiting plus in-flight
/// entries, since finished ones are deleted on acknowledgement) and leaves the rows of any
/// queue whose stream holds `maxStreamLength` or more in the outbox — the durable buffer —
/// until workers drain it. A stream can exceed the limit by at most one batch.
///
/// Polls every `busyPoll` while rows keep coming, backing off (doubling) to every `idlePoll`
/// while the outbox stays empty.
/// While Redis (or PostgreSQL) is down, rows stay in the outbox and the loop backs off; when
/// Redis returns, it drains the backlog batch by batch.
public struct OutboxDispatcher: Service {
    public struct Options: Sendable {
        public var batchSize = 200
        public var busyPoll: Duration = .milliseconds(5)
        public var idlePoll: Duration = .milliseconds(50)
        /// A stream holding this many entries or more gets no new rows until workers drain it
        /// (`workers.maxStreamLength`).
        public var maxStreamLength = 100_000
        public var maxBackoff: Duration = .seconds(2)

        public init() {}
    }

    let primary: PostgresPool
    let redis: any RedisCommandExecutor
    let keys: QueueKeys
    let options: Options
    let metrics: ServerMetrics
    let logger: Logger

    public func run() async throws {
        var backoff = LoopBackoff(maximum: options.maxBackoff)
        var lastMoved = 0
        var idleRounds = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let pause: Duration
            do {
                lastMoved = try await dispatchOnce(peekFirst: lastMoved == 0)
                if backoff.failures > 0 { logger.notice("outbox dispatcher recovered") }
                backoff.reset()
                idleRounds = lastMoved > 0 ? 0 : idleRounds + 1
                pause = lastMoved >= options.batchSize ? .zero : Self.pause(idleRounds: idleRounds, options: options)
            } catch {
                if Task.isCancelled { break }
                pause = backoff.next()
                if backoff.failures == 1 || backoff.failures.isMultiple(of: 50) {
                    logger.warning(
                        "outbox dispatch failed; retrying with backoff",
                        metadata: ["error": "\(error)", "failures": "\(backoff.failures)"]
                    )
                }
                lastMoved = 0
            }
            // A shutdown ends the pause at once (the loop then stops).
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }

    /// `busyPoll` after a round that moved rows, then doubling with each empty round up to
    /// `idlePoll`: prompt right after activity, cheap when idle.
    static func pause(idleRounds: Int, options: Options) -> Duration {
        let factor = Double(1 << min(idleRounds, 20))
        return min(options.busyPoll * factor, options.idlePoll)
    }

    /// One round; returns how many rows it moved. With `peekFirst`, an empty outbox costs one
    /// cheap query instead of a transaction.
    @discardableResult
    func dispatchOnce(peekFirst: Bool = false) async throws -> Int {
        if peekFirst {
            let pending = try await primary.query(OutboxRows.anyPending).first?.decode("pending", as: Bool.self) ?? false
            guard pending else { return 0 }
        }
        let open = try await queuesAcceptingJobs()
        guard !open.isEmpty else { return 0 }
        let claim =
            open.count == QueueName.allCases.count
            ? (OutboxRows.claimBatch, [options.batchSize] as [(any PostgresBindable)?])
            : (OutboxRows.claimBatchForQueues, [options.batchSize, OutboxRows.textArray(open.map(\.rawValue))])
        return try await primary.transaction { connection in
            let rows = try await connection.query(claim.0, claim.1).rows.map(OutboxRows.Row.init)
            guard !rows.isEmpty else { return 0 }
            try await enqueue(rows)
            _ = try await connection.query(OutboxRows.markDispatched, [OutboxRows.idArray(rows.map(\.id))], thenCommit: true)
            return rows.count
        }
    }

    /// The queues whose stream is below `maxStreamLength` (lengths read concurrently).
    func queuesAcceptingJobs() async throws -> [QueueName] {
        let limit = options.maxStreamLength
        let lengths = try await withThrowingTaskGroup(of: (QueueName, Int).self) { group in
            for queue in QueueName.allCases {
                group.addTask { (queue, try await redis.xlen(keys.stream(queue))) }
            }
            return try await group.reduce(into: [QueueName: Int]()) { $0[$1.0] = $1.1 }
        }
        return QueueName.allCases.filter { queue in
            guard let length = lengths[queue], length >= limit else { return true }
            metrics.queueBackpressure(queue.rawValue).increment()
            return false
        }
    }

    /// XADDs `rows` onto their streams, in id order within each stream, the streams concurrently.
    private func enqueue(_ rows: [OutboxRows.Row]) async throws {
        var byQueue: [QueueName: [OutboxRows.Row]] = [:]
        for row in rows {
            // The table's CHECK constraint admits only the three queues; anything else is
            // marked dispatched with the batch and logged, never retried forever.
            guard let queue = row.queue else {
                logger.error("outbox row names an unknown queue; skipped", metadata: ["id": "\(row.id)"])
                continue
            }
            byQueue[queue, default: []].append(row)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (queue, queued) in byQueue {
                group.addTask { try await enqueue(queued, on: queue) }
            }
            try await group.waitForAll()
        }
    }

    private func enqueue(_ rows: [OutboxRows.Row], on queue: QueueName) async throws {
        let now = UnixTime.nowMs()
        var arguments: [String] = []
        arguments.reserveCapacity(rows.count * JobField.allCases.count)
        for row in rows {
            // A first attempt: no errors yet.
            arguments += JobField.allCases.map { field in
                switch field {
                case .jobId: row.key
                case .kind: row.kind
                case .payload: row.payload
                case .attempt: "1"
                case .enqueuedAt: String(now)
                case .errors: field.fallback
                }
            }
        }
        try await redis.evalSHA(QueueScripts.enqueue, keys: [keys.stream(queue)], args: arguments)
        let added = UnixTime.nowMs()
        let delay = metrics.outboxDispatchDelay
        for row in rows {
            delay.record(.milliseconds(max(0, added - row.createdMs)))
        }
        metrics.queueJobs(queue.rawValue, "enqueued").increment(by: Int64(rows.count))
    }
}
