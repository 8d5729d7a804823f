import Logging
import PostgresClient
import Profiler
import RedisClient
import ServiceLifecycle

/// Samples, every `interval`, the queue and outbox gauges: `queue_depth{queue,state}`,
/// `exchange_queue_oldest_job_age_seconds{queue}`, `outbox_pending` and
/// `exchange_outbox_oldest_age_seconds`. A gauge that cannot be sampled (Redis or the primary
/// unreachable) is dropped from `/metrics` until it can be again, never left at its last value.
///
/// States, read in one script per queue so they agree with each other:
/// - `waiting`: in the stream and not yet delivered — `XLEN − XPENDING`, exact because every
///   finished entry is deleted from its stream (streams hold live jobs only);
/// - `active`: delivered to a worker and not yet acknowledged (`XPENDING` count; includes jobs
///   of a dead worker until they are reclaimed);
/// - `delayed`: waiting out a retry backoff (`ZCARD queue:<name>:delayed`);
/// - `dead`: dead-lettered and kept (`XLEN queue:<name>:dead`).
///
/// Ages come from one clock each: the oldest stream entry id against Redis `TIME`, the oldest
/// undispatched outbox row's `created_at` against PostgreSQL `now()`.
struct QueueDepthSampler: Service {
    let redis: any RedisCommandExecutor
    let primary: PostgresPool
    let keys: QueueKeys
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger

    static let states = ["waiting", "active", "delayed", "dead"]

    static let outboxBacklog = PostgresQuery(
        "outbox_backlog",
        """
        SELECT count(*) AS pending,
               COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_s
        FROM outbox WHERE dispatched_at IS NULL
        """
    )

    struct Depth: Sendable, Equatable {
        var waiting: Int
        var active: Int
        var delayed: Int
        var dead: Int
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await sampleOnce()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func sampleOnce() async {
        for queue in QueueName.allCases {
            let name = queue.rawValue
            if let depth = try? await depth(queue) {
                metrics.queueDepth(name, "waiting").set(Double(depth.waiting))
                metrics.queueDepth(name, "active").set(Double(depth.active))
                metrics.queueDepth(name, "delayed").set(Double(depth.delayed))
                metrics.queueDepth(name, "dead").set(Double(depth.dead))
            } else {
                for state in Self.states { metrics.drop(metrics.queueDepth(name, state)) }
            }
            if let age = try? await oldestAge(queue) {
                metrics.queueOldestJobAge(name).set(age.seconds)
            } else {
                metrics.drop(metrics.queueOldestJobAge(name))
            }
        }
        do {
            guard let row = try await primary.query(Self.outboxBacklog).first else { throw SampleFailure() }
            metrics.outboxPending.set(Double(try row.decode("pending", as: Int.self)))
            metrics.outboxOldestAge.set(try row.decode("oldest_s", as: Double.self))
        } catch {
            metrics.drop(metrics.outboxPending)
            metrics.drop(metrics.outboxOldestAge)
        }
    }

    private struct SampleFailure: Error {}

    /// How long the oldest job in `queue`'s stream has been there (Redis clock).
    func oldestAge(_ queue: QueueName) async throws -> Duration {
        let reply = try await redis.evalSHA(QueueScripts.oldestAge, keys: [keys.stream(queue)], args: [])
        guard let milliseconds = reply.int else { throw RedisError.unexpectedReply("oldest age: \(reply)") }
        return .milliseconds(milliseconds)
    }

    func depth(_ queue: QueueName) async throws -> Depth {
        let reply = try await redis.evalSHA(
            QueueScripts.depth,
            keys: [keys.stream(queue), keys.delayed(queue), keys.dead(queue)],
            args: [keys.group]
        )
        let values = (reply.array ?? []).map { $0.int ?? 0 }
        guard values.count == 4 else { throw RedisError.unexpectedReply("queue depth: \(reply)") }
        return Depth(waiting: max(0, values[0] - values[1]), active: values[1], delayed: values[2], dead: values[3])
    }
}
