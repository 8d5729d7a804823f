import Logging
import RedisClient
import ServiceLifecycle

/// Moves retries whose backoff has passed from `queue:<name>:delayed` back onto the stream, with
/// one script per queue and round (ZRANGEBYSCORE + XADD + ZREM, atomic), so a job is never in
/// both places nor in neither. Any number of movers may run at once.
struct DelayedJobMover: Service {
    let redis: any RedisCommandExecutor
    let keys: QueueKeys
    let queues: [QueueName]
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger
    /// Most jobs moved per queue per script call.
    let batch = 500

    func run() async throws {
        var backoff = LoopBackoff(maximum: .seconds(2))
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var pause = interval
            do {
                var more = false
                for queue in queues {
                    let moved = try await moveDue(queue)
                    more = more || moved >= batch
                }
                backoff.reset()
                if more { pause = .zero }
            } catch {
                if Task.isCancelled { break }
                pause = backoff.next()
                if backoff.failures == 1 || backoff.failures.isMultiple(of: 50) {
                    logger.warning("delayed-job mover failed; retrying with backoff", metadata: ["error": "\(error)"])
                }
            }
            // A shutdown ends the pause at once (the loop then stops).
            if pause > .zero { try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) } }
        }
    }

    /// Moves what is due on `queue`; returns how many.
    @discardableResult
    func moveDue(_ queue: QueueName, now: Int64 = UnixTime.nowMs()) async throws -> Int {
        let reply = try await redis.evalSHA(
            QueueScripts.moveDue,
            keys: [keys.delayed(queue), keys.stream(queue)],
            args: [String(now), String(batch)]
        )
        let moved = reply.int ?? 0
        if moved > 0 { logger.debug("moved due retries", metadata: ["queue": "\(queue.rawValue)", "jobs": "\(moved)"]) }
        return moved
    }
}
