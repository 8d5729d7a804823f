import Profiler

/// Every metric family the server exports, in one list: `exchange-server metrics list` prints
/// it, ``ServerMetrics`` registers from it, `scripts/check-observability` compares it with a
/// live scrape, and docs/metrics.md is generated from it. Names are part of the contract
/// (docs/design.md §9): renaming one means changing alerts, dashboard and reports too.
public enum MetricCatalogue {
    public static let all: [MetricDefinition] = [
        // HTTP and WebSocket
        .httpRequestDuration, .wsUpgrades,
        // Exchange
        .transitions, .transitionDuration,
        // Database
        .poolAcquireDuration, .poolAcquireTimeouts, .poolConnections, .poolMaxConnections, .poolPending,
        .queryDuration, .queryErrors, .replicaLag, .replicaStreaming, .routingDecisions,
        // Redis and rate limits
        .redisCommandDuration, .rateLimitDecisions,
        // Queues, outbox, side effects
        .queueJobs, .queueDepth, .queueOldestJobAge, .queueJobWait, .queueJobDuration,
        .outboxPending, .outboxOldestAge, .outboxDispatchDelay,
        .sideEffectDuration, .sideEffectFailures, .queuePoisonJobs, .queueBackpressure,
        // Retention
        .retentionPruned, .retentionRuns,
        // Real time
        .wsConnections, .wsMessages, .wsDeliveryLag, .wsSlowConsumerDisconnects,
        .wsPubSubConnected, .wsPubSubReconnects, .wsEventsDropped, .wsPubSubDropped,
        // Readiness
        .readyCheck, .readyCheckLastSuccess,
        // Process
        .buildInfo, .processCPU, .processOpenFDs, .processMaxFDs, .processStartTime, .heapAllocated, .heapResident,
        // Memory and stats at scale (docs/performance.md)
        .heapActive, .heapMetadata, .processResidentMemory, .statsRowsRead,
    ]

    public static func definition(named name: String) -> MetricDefinition? {
        all.first { $0.name == name }
    }

    static let queues = QueueName.allCases.map(\.rawValue)
    static let pools = ["primary", "replica"]
    static let dependencies = ["postgres", "replica", "redis"]

    /// Route templates of the contract with the status each answers on success: the start-up
    /// series of the request histogram, so SLI ratios have a denominator before traffic.
    static let routeSeeds: [[String]] = [
        ["POST", "/api/auth/otp", "202"], ["POST", "/api/auth/verify", "200"], ["POST", "/api/auth/logout", "204"],
        ["POST", "/api/requests", "201"], ["GET", "/api/requests", "200"], ["GET", "/api/requests/:id", "200"],
        ["POST", "/api/requests/:id/claim", "200"], ["POST", "/api/requests/:id/release", "200"],
        ["POST", "/api/requests/:id/start", "200"], ["POST", "/api/requests/:id/complete", "200"],
        ["POST", "/api/requests/:id/fail", "200"], ["POST", "/api/requests/:id/cancel", "200"],
        ["GET", "/api/requests/:id/sync", "200"], ["GET", "/api/stats", "200"],
        ["GET", "/health", "200"], ["GET", "/ready", "200"], ["GET", "/metrics", "200"], ["GET", "/openapi.yaml", "200"],
    ]
}

// MARK: HTTP and WebSocket

extension MetricDefinition {
    static let httpRequestDuration = MetricDefinition(
        "http_server_request_duration_seconds",
        .histogram,
        labels: ["method", "route", "status"],
        unit: "seconds",
        processes: [.serve],
        updates: "every HTTP response (route is the template, `unmatched` for unknown paths)",
        help: "HTTP request latency by method, route template and status code.",
        seeds: MetricCatalogue.routeSeeds
    )

    static let wsUpgrades = MetricDefinition(
        "ws_upgrades_total",
        .counter,
        labels: ["result"],
        unit: "upgrades",
        processes: [.serve],
        updates: "every WebSocket upgrade request on the HTTP/1 server",
        help: "WebSocket upgrade requests: upgraded, refused (4xx: bad token, wrong path) or failed (5xx: a dependency was down).",
        seeds: [["upgraded"], ["refused"], ["failed"]]
    )
}

// MARK: Exchange

extension MetricDefinition {
    static let transitions = MetricDefinition(
        "exchange_transitions_total",
        .counter,
        labels: ["from", "to"],
        unit: "transitions",
        processes: [.serve],
        updates: "every committed state transition",
        help: "Committed request state transitions.",
        seeds: Lifecycle.rules.map { [$0.from.rawValue, $0.to.rawValue] }
    )

    static let transitionDuration = MetricDefinition(
        "exchange_transition_duration_seconds",
        .histogram,
        labels: ["transition", "outcome"],
        unit: "seconds",
        processes: [.serve],
        updates: "every transition's transaction, whatever its outcome (ok, conflict, error)",
        help: "Time of a state transition's database transaction (lock, decide, update, audit, commit), by how it ended.",
        seeds: RequestAction.allCases.flatMap { action in TransitionOutcome.allCases.map { [action.rawValue, $0.rawValue] } }
    )
}

// MARK: Database

extension MetricDefinition {
    static let poolAcquireDuration = MetricDefinition(
        "db_pool_acquire_duration_seconds",
        .histogram,
        labels: ["pool"],
        unit: "seconds",
        updates: "every pool acquire, including waiters that timed out",
        help: "Time waiting for a connection from the pool (timed-out waiters included).",
        buckets: LatencyBuckets.fast,
        seeds: MetricCatalogue.pools.map { [$0] }
    )

    static let poolAcquireTimeouts = MetricDefinition(
        "db_pool_acquire_timeouts_total",
        .counter,
        labels: ["pool"],
        unit: "acquires",
        updates: "every acquire that gave up after db.pool.acquireTimeoutMs",
        help: "Pool acquires that timed out waiting for a connection.",
        seeds: MetricCatalogue.pools.map { [$0] }
    )

    static let poolConnections = MetricDefinition(
        "db_pool_connections",
        .gauge,
        labels: ["pool", "state"],
        unit: "connections",
        updates: "at each scrape",
        help: "Pool connections by state (idle or used).",
        seeds: product(MetricCatalogue.pools, ["idle", "used"])
    )

    static let poolMaxConnections = MetricDefinition(
        "db_pool_max_connections",
        .gauge,
        labels: ["pool"],
        unit: "connections",
        updates: "at start-up (db.<pool>.poolSize)",
        help: "Most connections the pool may open (its configured size).",
        seeds: MetricCatalogue.pools.map { [$0] }
    )

    static let poolPending = MetricDefinition(
        "db_pool_pending_requests",
        .gauge,
        labels: ["pool"],
        unit: "callers",
        updates: "at each scrape",
        help: "Callers waiting for a pool connection.",
        seeds: MetricCatalogue.pools.map { [$0] }
    )

    static let queryDuration = MetricDefinition(
        "db_query_duration_seconds",
        .histogram,
        labels: ["pool", "query"],
        unit: "seconds",
        updates: "every statement on a pooled connection",
        help: "Statement round trip on a pooled connection, by named query.",
        seeds: [["primary", "outbox_pending_count"], ["replica", "replica_lag"]]
    )

    static let queryErrors = MetricDefinition(
        "db_query_errors_total",
        .counter,
        labels: ["pool", "query"],
        unit: "statements",
        updates: "every statement that failed",
        help: "Statements on a pooled connection that failed (connection lost, timeout, constraint, conflict), by named query.",
        seeds: [["primary", "outbox_pending_count"], ["replica", "replica_lag"]]
    )

    static let replicaLag = MetricDefinition(
        "db_replica_lag_seconds",
        .gauge,
        unit: "seconds",
        updates: "every db.routing.lagCheckIntervalMs; absent while the replica can't be reached",
        help: "Replica replay lag measured by the server (time since the last replayed commit while the primary is writing)."
    )

    static let routingDecisions = MetricDefinition(
        "db_routing_decisions_total",
        .counter,
        labels: ["target", "reason"],
        unit: "queries",
        processes: [.serve],
        updates: "every analytics read",
        help: "Where analytics queries went and why.",
        seeds: [
            ["primary", "configured"], ["replica", "ok"], ["primary", "replica_down"], ["primary", "replica_lagging"],
            ["primary", "replica_error"],
        ]
    )
}

// MARK: Redis and rate limits

extension MetricDefinition {
    static let redisCommandDuration = MetricDefinition(
        "redis_command_duration_seconds",
        .histogram,
        labels: ["command"],
        unit: "seconds",
        updates: "every Redis command",
        help: "Redis command round trip, by command.",
        buckets: LatencyBuckets.fast,
        seeds: [["EVALSHA"]]
    )

    static let rateLimitDecisions = MetricDefinition(
        "ratelimit_decisions_total",
        .counter,
        labels: ["limiter", "result"],
        unit: "decisions",
        processes: [.serve],
        updates: "every rate-limit check",
        help: "Rate-limit decisions by limiter (otp, create, …): allowed, limited, or taken while Redis was down (failed_open/failed_closed).",
        seeds: product(["otp", "create"], ["allowed", "limited", "failed_open", "failed_closed"])
    )
}

// MARK: Queues, outbox, side effects

extension MetricDefinition {
    static let queueOutcomes = ["enqueued", "completed", "retried", "failed", "dead", "abandoned", "trimmed", "reclaimed"]

    static let queueJobs = MetricDefinition(
        "queue_jobs_total",
        .counter,
        labels: ["queue", "outcome"],
        unit: "jobs",
        updates: "every job event (dispatcher: enqueued; workers: the rest)",
        help: "Jobs by queue and outcome (enqueued, completed, retried, failed, dead, abandoned, trimmed, reclaimed).",
        seeds: product(MetricCatalogue.queues, queueOutcomes)
    )

    static let queueDepth = MetricDefinition(
        "queue_depth",
        .gauge,
        labels: ["queue", "state"],
        unit: "jobs",
        updates: "sampled every second; absent while Redis can't be read (cluster-wide: aggregate with max without(instance))",
        help: "Jobs by queue and state (waiting, delayed, active, dead).",
        seeds: product(MetricCatalogue.queues, ["waiting", "delayed", "active", "dead"])
    )

    static let queueOldestJobAge = MetricDefinition(
        "exchange_queue_oldest_job_age_seconds",
        .gauge,
        labels: ["queue"],
        unit: "seconds",
        updates: "sampled every second from the oldest stream entry id and Redis TIME; absent while Redis can't be read",
        help: "Age of the oldest job in the queue stream (waiting or being worked on), 0 when the stream is empty.",
        seeds: MetricCatalogue.queues.map { [$0] }
    )

    static let queueJobWait = MetricDefinition(
        "queue_job_wait_seconds",
        .histogram,
        labels: ["queue"],
        unit: "seconds",
        updates: "every job a worker starts",
        help: "Time from enqueue to a worker starting the job.",
        buckets: LatencyBuckets.backlog,
        seeds: MetricCatalogue.queues.map { [$0] }
    )

    static let queueJobDuration = MetricDefinition(
        "queue_job_duration_seconds",
        .histogram,
        labels: ["queue"],
        unit: "seconds",
        updates: "every job a worker runs",
        help: "Time a worker spends running a job.",
        buckets: LatencyBuckets.provider,
        seeds: MetricCatalogue.queues.map { [$0] }
    )

    static let outboxPending = MetricDefinition(
        "outbox_pending",
        .gauge,
        unit: "rows",
        updates: "sampled every second; absent while the primary can't be read",
        help: "Outbox rows committed but not yet moved to a queue stream."
    )

    static let outboxOldestAge = MetricDefinition(
        "exchange_outbox_oldest_age_seconds",
        .gauge,
        unit: "seconds",
        updates: "sampled every second, computed by PostgreSQL (now() - min(created_at)); absent while the primary can't be read",
        help: "Age of the oldest outbox row not yet moved to a queue stream, 0 when none waits."
    )

    static let outboxDispatchDelay = MetricDefinition(
        "outbox_dispatch_delay_seconds",
        .histogram,
        unit: "seconds",
        updates: "every outbox row moved onto a stream",
        help: "Time from outbox row commit to its XADD onto the queue stream.",
        buckets: LatencyBuckets.backlog
    )

    static let sideEffectDuration = MetricDefinition(
        "side_effect_duration_seconds",
        .histogram,
        labels: ["kind", "mode"],
        unit: "seconds",
        updates: "every provider call (sync: in the request; queued: in a worker)",
        help: "Provider call duration by side-effect kind and mode (sync or queued).",
        buckets: LatencyBuckets.provider,
        seeds: product(SideEffectKind.allCases.map(\.rawValue), ["sync", "queued"])
    )

    static let sideEffectFailures = MetricDefinition(
        "side_effect_failures_total",
        .counter,
        labels: ["kind", "mode"],
        unit: "calls",
        updates: "every provider call that failed",
        help: "Provider calls that failed (error status, timeout, connection refused), by side-effect kind and mode.",
        seeds: product(SideEffectKind.allCases.map(\.rawValue), ["sync", "queued"])
    )
}

// MARK: Real time

extension MetricDefinition {
    static let wsConnections = MetricDefinition(
        "ws_connections",
        .gauge,
        unit: "connections",
        processes: [.serve],
        updates: "every WebSocket open and close",
        help: "Open WebSocket connections."
    )

    static let wsMessages = MetricDefinition(
        "ws_messages_total",
        .counter,
        labels: ["direction"],
        unit: "frames",
        processes: [.serve],
        updates: "every WebSocket frame",
        help: "WebSocket frames by direction (in, out).",
        seeds: [["in"], ["out"]]
    )

    static let wsDeliveryLag = MetricDefinition(
        "ws_delivery_lag_seconds",
        .histogram,
        unit: "seconds",
        processes: [.serve],
        updates: "every event written to a socket",
        help: "Time from a transition's commit to the event's socket write."
    )

    static let wsSlowConsumerDisconnects = MetricDefinition(
        "ws_slow_consumer_disconnects_total",
        .counter,
        unit: "connections",
        processes: [.serve],
        updates: "every connection closed for a full send buffer",
        help: "Connections closed because their send buffer filled up."
    )

    static let wsPubSubConnected = MetricDefinition(
        "ws_pubsub_connected",
        .gauge,
        unit: "1",
        processes: [.serve],
        updates: "when the pub/sub connection comes up or drops",
        help: "1 while this instance's Redis pub/sub connection for exchange:events is up and subscribed."
    )

    static let wsPubSubReconnects = MetricDefinition(
        "ws_pubsub_reconnects_total",
        .counter,
        unit: "reconnects",
        processes: [.serve],
        updates: "every pub/sub reconnection",
        help: "Reconnections of the Redis pub/sub connection; events published while it was down were not delivered live (clients repair via /sync)."
    )

    static let wsEventsDropped = MetricDefinition(
        "ws_events_dropped_total",
        .counter,
        labels: ["reason"],
        unit: "messages",
        processes: [.serve],
        updates: "every pub/sub message that reached no socket",
        help: "Pub/sub messages not delivered to any socket, by reason (malformed).",
        seeds: [["malformed"]]
    )
}

// MARK: Readiness

extension MetricDefinition {
    static let readyCheck = MetricDefinition(
        "exchange_ready_check",
        .gauge,
        labels: ["dependency"],
        unit: "1",
        updates: "every 5 s by the background readiness check (its own connections, not the pools)",
        help: "Last readiness check per dependency: 1 ok, 0 down.",
        seeds: MetricCatalogue.dependencies.map { [$0] }
    )

    static let readyCheckLastSuccess = MetricDefinition(
        "exchange_ready_check_last_success_timestamp_seconds",
        .gauge,
        labels: ["dependency"],
        unit: "seconds",
        updates: "every successful background readiness check; 0 until the first",
        help: "Unix time of the last successful readiness check per dependency (0: never succeeded).",
        seeds: MetricCatalogue.dependencies.map { [$0] }
    )
}

// MARK: Process

extension MetricDefinition {
    static let buildInfo = MetricDefinition(
        "build_info",
        .gauge,
        labels: ["version", "swift"],
        unit: "1",
        updates: "at start-up",
        help: "Always 1; the labels name the server's version and the Swift compiler it was built with.",
        seeds: [[BuildInfo.version, BuildInfo.swift]]
    )

    static let processCPU = MetricDefinition(
        "process_cpu_seconds_total",
        .counter,
        unit: "seconds",
        updates: "at each scrape (clock_gettime)",
        help: "User and system CPU time spent by the process."
    )

    static let processOpenFDs = MetricDefinition(
        "process_open_fds",
        .gauge,
        unit: "descriptors",
        updates: "at each scrape (/proc/self/fd)",
        help: "Open file descriptors, sockets included."
    )

    static let processMaxFDs = MetricDefinition(
        "process_max_fds",
        .gauge,
        unit: "descriptors",
        updates: "at start-up (RLIMIT_NOFILE)",
        help: "Limit on open file descriptors (soft RLIMIT_NOFILE)."
    )

    static let processStartTime = MetricDefinition(
        "process_start_time_seconds",
        .gauge,
        unit: "seconds",
        updates: "at start-up (/proc/self/stat)",
        help: "Start time of the process since the Unix epoch."
    )

    static let heapAllocated = MetricDefinition(
        "process_heap_allocated_bytes",
        .gauge,
        unit: "bytes",
        updates: "at each scrape (jemalloc)",
        help: "Bytes allocated by the application and not yet freed (jemalloc stats.allocated)."
    )

    static let heapResident = MetricDefinition(
        "process_heap_resident_bytes",
        .gauge,
        unit: "bytes",
        updates: "at each scrape (jemalloc)",
        help: "Bytes in resident pages mapped by the allocator (jemalloc stats.resident)."
    )
}
