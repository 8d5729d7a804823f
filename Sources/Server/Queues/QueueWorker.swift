import Foundation
import Logging
import RedisClient
import ServiceLifecycle

/// A worker: one consumer per queue it serves, all in consumer group `workers`, sharing one
/// priority gate so critical jobs go first. Several workers (in one process or many) split
/// the streams between them.
public struct QueueWorker: Service {
    let name: String
    let consumers: [QueueConsumer]

    init(
        name: String,
        queues: [QueueName],
        redis: RedisClient,
        provider: ProviderClient,
        keys: QueueKeys,
        policies: [QueueName: RetryPolicy],
        options: QueueConsumer.Options,
        metrics: ServerMetrics,
        logger: Logger
    ) {
        self.name = name
        let gate = PriorityGate()
        self.consumers = queues.map { queue in
            QueueConsumer(
                queue: queue,
                consumer: "\(name)-\(queue.rawValue)",
                redis: redis,
                keys: keys,
                options: options,
                runner: JobRunner(
                    queue: queue,
                    provider: provider,
                    redis: redis,
                    keys: keys,
                    policy: policies[queue] ?? .standard(for: queue),
                    metrics: metrics,
                    logger: logger
                ),
                gate: gate,
                logger: logger
            )
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for consumer in consumers {
                group.addTask { await consumer.run() }
            }
        }
    }

    /// A consumer name unique to this process and worker: `<host>-<pid>-w<index>-<random>`.
    static func uniqueName(index: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-w\(index)-\(suffix)"
    }
}
