import Logging
import RedisClient
import ServiceLifecycle
import Synchronization

/// One worker's loop over one queue: reads new entries with `XREADGROUP … BLOCK` on a connection
/// of its own (a blocking read would stall the shared pipelined connections), runs up to
/// `concurrency` jobs at once, and every `reclaimInterval` takes over entries another consumer
/// left unacknowledged for longer than `visibilityTimeout` (`XAUTOCLAIM`: a killed worker's jobs
/// run again).
///
/// On graceful shutdown it stops reading, gives in-flight jobs `shutdownGrace` to finish (their
/// acks included), then cancels the rest, which stay pending and are reclaimed elsewhere.
struct QueueConsumer: Sendable {
    typealias Options = ConsumerOptions

    let queue: QueueName
    let consumer: String
    let redis: RedisClient
    let keys: QueueKeys
    let options: Options
    let runner: JobRunner
    let gate: PriorityGate
    let logger: Logger

    func run() async {
        let connection = redis.dedicatedConnection(name: "worker-\(queue.rawValue)")
        let stopping = StopFlag()
        let slots = JobSlots(limit: options.concurrency)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await readLoop(connection: connection, slots: slots, stopping: stopping) { entries, deliveries in
                    slots.take(entries.count)
                    for entry in entries {
                        group.addTask {
                            await runner.run(entry, deliveries: deliveries[entry.id] ?? 1)
                            slots.release()
                        }
                    }
                }
                if !Task.isCancelled, !(await slots.waitIdle(timeout: options.shutdownGrace)) {
                    logger.warning(
                        "jobs still running at shutdown; leaving them to be reclaimed",
                        metadata: ["queue": "\(queue.rawValue)", "jobs": "\(slots.inUse)"]
                    )
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
        await connection.close()
    }

    static let pruneInterval: Duration = .seconds(60)
    /// A consumer with nothing pending and idle this long is gone (a stopped process): removed
    /// from the group so `XINFO CONSUMERS` doesn't grow with every restart. Harmless even if it
    /// were alive: its next read recreates it.
    static let consumerExpiry: Duration = .seconds(3600)

    private func pruneIdleConsumers(_ stream: String) async {
        guard let consumers = try? await redis.send(["XINFO", "CONSUMERS", stream, keys.group]).array else { return }
        for consumer in consumers {
            var info: [String: RedisValue] = [:]
            let pairs = consumer.array ?? []
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let field = pairs[index].string { info[field] = pairs[index + 1] }
            }
            guard let name = info["name"]?.string, name != self.consumer, info["pending"]?.int == 0,
                let idle = info["idle"]?.int, idle > Int(Self.consumerExpiry.seconds * 1000)
            else { continue }
            _ = try? await redis.send(["XGROUP", "DELCONSUMER", stream, keys.group, name])
        }
    }

    /// Delivery counts of entries this consumer just reclaimed (`XPENDING` over their id range,
    /// this consumer only). `XAUTOCLAIM` counted the reclaim itself.
    private func deliveryCounts(_ stream: String, _ entries: [RedisStreamEntry]) async throws -> [String: Int] {
        guard let first = entries.first?.id, let last = entries.last?.id else { return [:] }
        let pending = try await redis.xpending(
            stream,
            group: keys.group,
            start: first,
            end: last,
            count: max(entries.count, 1) * 2,
            consumer: consumer
        )
        return Dictionary(pending.map { ($0.id, $0.deliveryCount) }, uniquingKeysWith: max)
    }

    private func readLoop(
        connection: RedisConnection,
        slots: JobSlots,
        stopping: StopFlag,
        start: ([RedisStreamEntry], _ deliveries: [String: Int]) -> Void
    ) async {
        var backoff = LoopBackoff(maximum: .seconds(2))
        var groupReady = false
        var lastReclaim = ContinuousClock.now - options.reclaimInterval
        var reclaimCursor = "0-0"
        var lastPrune = ContinuousClock.now
        let stream = keys.stream(queue)
        while !Task.isCancelled, !stopping.isSet {
            let free = await slots.waitForFree()
            guard free > 0, !stopping.isSet else { break }
            do {
                if !groupReady {
                    // Id 0: entries added before the group existed are delivered too.
                    try await redis.xgroupCreate(stream, group: keys.group, id: "0", mkstream: true)
                    groupReady = true
                }
                if ContinuousClock.now - lastReclaim >= options.reclaimInterval {
                    lastReclaim = .now
                    let claimed = try await redis.xautoclaim(
                        stream,
                        group: keys.group,
                        consumer: consumer,
                        minIdleMs: Int(options.visibilityTimeout.seconds * 1000),
                        start: reclaimCursor,
                        count: free
                    )
                    reclaimCursor = claimed.nextStart
                    // Entries trimmed while pending leave the pending list here, unrun.
                    if !claimed.deletedIDs.isEmpty {
                        runner.metrics.queueJobs(queue.rawValue, "trimmed").increment(by: Int64(claimed.deletedIDs.count))
                    }
                    if !claimed.entries.isEmpty {
                        runner.metrics.queueJobs(queue.rawValue, "reclaimed").increment(by: Int64(claimed.entries.count))
                        logger.info("reclaimed stalled jobs", metadata: ["queue": "\(queue.rawValue)", "jobs": "\(claimed.entries.count)"])
                        start(claimed.entries, try await deliveryCounts(stream, claimed.entries))
                        continue
                    }
                }
                if ContinuousClock.now - lastPrune >= Self.pruneInterval {
                    lastPrune = .now
                    await pruneIdleConsumers(stream)
                }
                let count = gate.readCount(for: queue, free: free)
                if count < free { try? await Task.sleep(for: gate.yield) }
                let entries = try await connection.xreadgroup(
                    group: keys.group,
                    consumer: consumer,
                    stream: stream,
                    id: ">",
                    count: count,
                    blockMs: Int(options.blockTime.seconds * 1000)
                )
                if queue == .critical, entries.count >= count {
                    gate.markCriticalBusy()
                }
                if backoff.failures > 0 { logger.notice("queue consumer recovered", metadata: ["queue": "\(queue.rawValue)"]) }
                backoff.reset()
                start(entries, [:])
            } catch {
                if Task.isCancelled { break }
                if let redisError = error as? RedisError, redisError.replyPrefix == "NOGROUP" { groupReady = false }
                let pause = backoff.next()
                if backoff.failures == 1 || backoff.failures.isMultiple(of: 50) {
                    logger.warning(
                        "queue read failed; retrying with backoff",
                        metadata: ["queue": "\(queue.rawValue)", "error": "\(error)", "failures": "\(backoff.failures)"]
                    )
                }
                try? await Task.sleep(for: pause)
            }
        }
    }
}

/// Set once, from a graceful-shutdown handler; read by a loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }

    func set() {
        flag.store(true, ordering: .relaxed)
    }
}

/// How each queue consumer of a worker behaves.
public struct ConsumerOptions: Sendable {
    /// Jobs run at once, per queue (`workers.concurrency`).
    public var concurrency = 16
    /// An entry unacknowledged this long is reclaimed (`workers.visibilityTimeoutMs`).
    public var visibilityTimeout: Duration = .seconds(30)
    /// How long one `XREADGROUP … BLOCK` waits; also bounds how fast a consumer notices shutdown.
    public var blockTime: Duration = .seconds(1)
    /// How long in-flight jobs may take to finish at graceful shutdown.
    public var shutdownGrace: Duration = .seconds(10)

    public init() {}

    /// How often pending entries are checked for a dead owner.
    var reclaimInterval: Duration {
        min(max(visibilityTimeout / 2, .milliseconds(100)), .seconds(5))
    }
}
