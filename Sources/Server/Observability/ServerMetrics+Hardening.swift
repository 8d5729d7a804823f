import Prometheus

/// Replica streaming state, queue protection (poison jobs, backpressure), retention and pub/sub
/// overflow.
extension ServerMetrics {
    var replicaStreaming: Gauge { registry.gauge(.replicaStreaming) }

    func queuePoisonJobs(_ queue: String) -> Counter { registry.counter(.queuePoisonJobs, [queue]) }

    func queueBackpressure(_ queue: String) -> Counter { registry.counter(.queueBackpressure, [queue]) }

    func retentionPruned(_ kind: String) -> Counter { registry.counter(.retentionPruned, [kind]) }

    func retentionRuns(_ result: String) -> Counter { registry.counter(.retentionRuns, [result]) }

    var wsPubsubDropped: Counter { registry.counter(.wsPubSubDropped) }
}
