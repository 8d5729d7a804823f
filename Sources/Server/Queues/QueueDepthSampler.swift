import Logging
import PostgresClient
import RedisClient
import ServiceLifecycle

/// Samples `queue_depth{queue,state}` and `outbox_pending` every `interval`.
///
/// States, read in one script per queue so they agree with each other:
/// - `waiting`: in the stream and not yet delivered — `XLEN − XPENDING`, exact because every
///   finished entry is deleted from its stream (streams hold live jobs only);
/// - `active`: delivered to a worker and not yet acknowledged (`XPENDING` count; includes jobs
///   of a dead worker until they are reclaimed);
/// - `delayed`: waiting out a retry backoff (`ZCARD queue:<name>:delayed`);
/// - `dead`: dead-lettered and kept (`XLEN queue:<name>:dead`).
struct QueueDepthSampler: Service {
    let redis: any RedisCommandExecutor
    let primary: PostgresPool
    let keys: QueueKeys
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger

    struct Depth: Sendable, Equatable {
        var waiting: Int
        var active: Int
        var delayed: Int
        var dead: Int
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await sampleOnce()
            try? await Task.sleep(for: interval)
        }
    }

    func sampleOnce() async {
        for queue in QueueName.allCases {
            guard let depth = try? await depth(queue) else { continue }
            metrics.queueDepth(queue.rawValue, "waiting").set(Double(depth.waiting))
            metrics.queueDepth(queue.rawValue, "active").set(Double(depth.active))
            metrics.queueDepth(queue.rawValue, "delayed").set(Double(depth.delayed))
            metrics.queueDepth(queue.rawValue, "dead").set(Double(depth.dead))
        }
        if let row = try? await primary.query(OutboxRows.pendingCount).first, let pending = try? row.decode("pending", as: Int.self) {
            metrics.outboxPending.set(Double(pending))
        }
    }

    func depth(_ queue: QueueName) async throws -> Depth {
        let reply = try await redis.evalSHA(QueueScripts.depth, keys: [keys.stream(queue), keys.delayed(queue), keys.dead(queue)],
                                            args: [keys.group])
        let values = (reply.array ?? []).map { $0.int ?? 0 }
        guard values.count == 4 else { throw RedisError.unexpectedReply("queue depth: \(reply)") }
        return Depth(waiting: max(0, values[0] - values[1]), active: values[1], delayed: values[2], dead: values[3])
    }
}
