// MARK: Replica state, queue protection, retention, pub/sub overflow

extension MetricDefinition {
    static let replicaStreaming = MetricDefinition(
        "db_replica_streaming",
        .gauge,
        unit: "1",
        processes: [.serve],
        updates: "every db.routing.lagCheckIntervalMs",
        help: "1 while the replica's WAL receiver is streaming from the primary; 0 when it is not (lag unknown, analytics routed to the primary)."
    )

    static let queuePoisonJobs = MetricDefinition(
        "queue_poison_jobs_total",
        .counter,
        labels: ["queue"],
        unit: "jobs",
        updates: "every job dead-lettered for too many deliveries",
        help: "Jobs dead-lettered because they were delivered more than maxAttempts times without an outcome (their worker stopped each time).",
        seeds: MetricCatalogue.queues.map { [$0] }
    )

    static let queueBackpressure = MetricDefinition(
        "queue_backpressure_total",
        .counter,
        labels: ["queue"],
        unit: "rounds",
        updates: "every dispatcher round that held a queue back",
        help: "Dispatcher rounds that left a queue's outbox rows in PostgreSQL because its stream held workers.maxStreamLength entries or more.",
        seeds: MetricCatalogue.queues.map { [$0] }
    )

    static let retentionPruned = MetricDefinition(
        "retention_pruned_total",
        .counter,
        labels: ["kind"],
        unit: "rows",
        processes: [.serve],
        updates: "every retention round (retention.intervalMs)",
        help:
            "Rows and stream entries removed by the retention job, by kind (sessions, otp_codes, otp_guesses, outbox, completed_jobs; stats_rollup_shards: rollup shards folded into their hour's row).",
        seeds: [["sessions"], ["otp_codes"], ["otp_guesses"], ["outbox"], ["completed_jobs"], ["stats_rollup_shards"]]
    )

    static let retentionRuns = MetricDefinition(
        "retention_runs_total",
        .counter,
        labels: ["result"],
        unit: "rounds",
        processes: [.serve],
        updates: "every retention round (retention.intervalMs)",
        help: "Retention pruning rounds by result (ok, failed).",
        seeds: [["ok"], ["failed"]]
    )

    static let wsPubSubDropped = MetricDefinition(
        "ws_pubsub_dropped_total",
        .counter,
        unit: "messages",
        processes: [.serve],
        updates: "every pub/sub message dropped because the fan-out's buffer was full",
        help:
            "Pub/sub messages dropped because the fan-out fell behind and its buffer (realtime.pubsubBufferLimit) was full; clients repair the gap via /sync."
    )
}
