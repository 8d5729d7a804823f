import Prometheus

/// Metrics of the hardening work (issue 12): replica streaming state, retention, queue
/// backpressure and poison jobs, pub/sub overflow.
extension ServerMetrics {
    var replicaStreaming: Gauge {
        registry.gauge("db_replica_streaming", help: "1 while the replica's WAL receiver is streaming from the primary; "
            + "0 when it is not (lag unknown, analytics routed to the primary).")
    }
}

extension ServerMetrics {
    func queuePoisonJobs(_ queue: String) -> Counter {
        registry.counter("queue_poison_jobs_total", help: "Jobs dead-lettered because they were delivered more than maxAttempts times "
            + "without an outcome (their worker stopped each time).", labels: [("queue", queue)])
    }

    func queueBackpressure(_ queue: String) -> Counter {
        registry.counter("queue_backpressure_total", help: "Dispatcher rounds that left a queue's outbox rows in PostgreSQL because its "
            + "stream held workers.maxStreamLength entries or more.", labels: [("queue", queue)])
    }
}

extension ServerMetrics {
    func retentionPruned(_ kind: String) -> Counter {
        registry.counter("retention_pruned_total", help: "Rows and stream entries removed by the retention job, by kind "
            + "(sessions, otp_codes, outbox, completed_jobs).", labels: [("kind", kind)])
    }

    func retentionRuns(_ result: String) -> Counter {
        registry.counter("retention_runs_total", help: "Retention pruning rounds by result (ok, failed).", labels: [("result", result)])
    }
}

extension ServerMetrics {
    var wsPubsubDropped: Counter {
        registry.counter("ws_pubsub_dropped_total", help: "Pub/sub messages dropped because the fan-out fell behind and its buffer "
            + "(realtime.pubsubBufferLimit) was full; clients repair the gap via /sync.")
    }
}
