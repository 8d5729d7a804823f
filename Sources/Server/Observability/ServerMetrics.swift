import Profiler
import Prometheus

/// Every collector the server exports (docs/design.md §9), created up front with HELP text so a
/// scrape shows the full set — queue and WebSocket metrics included — whatever the mode.
public final class ServerMetrics: Sendable {
    public let registry: MetricsRegistry
    let heap: HeapMetrics

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        self.heap = HeapMetrics(registry: registry)
        for queue in ["critical", "standard", "analytics"] {
            for state in ["waiting", "delayed", "active", "dead"] { _ = queueDepth(queue, state) }
            for outcome in ["enqueued", "completed", "retried", "failed", "dead"] { _ = queueJobs(queue, outcome) }
            _ = queueJobWait(queue)
            _ = queueJobDuration(queue)
        }
        _ = outboxPending
        _ = outboxDispatchDelay
        _ = wsConnections
        _ = wsDeliveryLag
        _ = wsSlowConsumerDisconnects
        _ = replicaLag
        for result in ["allowed", "limited", "failed_open", "failed_closed"] { _ = rateLimitDecision(result) }
    }

    // MARK: HTTP

    func httpDuration(method: String, route: String, status: Int) -> DurationHistogram {
        registry.histogram("http_server_request_duration_seconds", help: "HTTP request latency by method, route template and status code.",
                           labels: [("method", method), ("route", route), ("status", String(status))])
    }

    // MARK: Exchange

    func transitions(from: RequestStatus, to: RequestStatus) -> Counter {
        registry.counter("exchange_transitions_total", help: "Committed request state transitions.",
                         labels: [("from", from.rawValue), ("to", to.rawValue)])
    }

    /// `outcome`: `ok` (committed), `conflict` (refused for the request's state: 409), `error`
    /// (any other refusal or failure inside the transaction: 403, 404, 422, a database error).
    func transitionDuration(_ action: RequestAction, outcome: TransitionOutcome) -> DurationHistogram {
        registry.histogram("exchange_transition_duration_seconds",
                           help: "Time of a state transition's database transaction (lock, decide, update, audit, commit), by how it ended.",
                           labels: [("transition", action.rawValue), ("outcome", outcome.rawValue)])
    }

    // MARK: Database

    func poolAcquire(_ pool: String) -> DurationHistogram {
        registry.histogram("db_pool_acquire_duration_seconds", help: "Time waiting for a connection from the pool.", labels: [("pool", pool)])
    }

    func poolConnections(_ pool: String, _ state: String) -> Gauge {
        registry.gauge("db_pool_connections", help: "Pool connections by state (idle or used).", labels: [("pool", pool), ("state", state)])
    }

    func poolPending(_ pool: String) -> Gauge {
        registry.gauge("db_pool_pending_requests", help: "Callers waiting for a pool connection.", labels: [("pool", pool)])
    }

    func query(_ pool: String, _ query: String) -> DurationHistogram {
        registry.histogram("db_query_duration_seconds", help: "Statement round trip on a pooled connection, by named query.",
                           labels: [("pool", pool), ("query", query)])
    }

    var replicaLag: Gauge {
        registry.gauge("db_replica_lag_seconds", help: "Replica replay lag measured by the server (time since the last replayed commit while the primary is writing).")
    }

    func routing(target: String, reason: String) -> Counter {
        registry.counter("db_routing_decisions_total", help: "Where analytics queries went and why.", labels: [("target", target), ("reason", reason)])
    }

    // MARK: Redis and rate limits

    func redisCommand(_ command: String) -> DurationHistogram {
        registry.histogram("redis_command_duration_seconds", help: "Redis command round trip, by command.", labels: [("command", command)])
    }

    func rateLimitDecision(_ result: String) -> Counter {
        registry.counter("ratelimit_decisions_total", help: "Rate-limit decisions: allowed, limited, or taken while Redis was down (failed_open/failed_closed).",
                         labels: [("result", result)])
    }

    // MARK: Queues and side effects

    func queueJobs(_ queue: String, _ outcome: String) -> Counter {
        registry.counter("queue_jobs_total", help: "Jobs by queue and outcome (enqueued, completed, retried, failed, dead).",
                         labels: [("queue", queue), ("outcome", outcome)])
    }

    func queueDepth(_ queue: String, _ state: String) -> Gauge {
        registry.gauge("queue_depth", help: "Jobs by queue and state (waiting, delayed, active, dead).", labels: [("queue", queue), ("state", state)])
    }

    func queueJobWait(_ queue: String) -> DurationHistogram {
        registry.histogram("queue_job_wait_seconds", help: "Time from enqueue to a worker starting the job.", labels: [("queue", queue)])
    }

    func queueJobDuration(_ queue: String) -> DurationHistogram {
        registry.histogram("queue_job_duration_seconds", help: "Time a worker spends running a job.", labels: [("queue", queue)])
    }

    var outboxPending: Gauge {
        registry.gauge("outbox_pending", help: "Outbox rows committed but not yet moved to a queue stream.")
    }

    var outboxDispatchDelay: DurationHistogram {
        registry.histogram("outbox_dispatch_delay_seconds", help: "Time from outbox row commit to its XADD onto the queue stream.")
    }

    func sideEffect(kind: String, mode: String) -> DurationHistogram {
        registry.histogram("side_effect_duration_seconds", help: "Provider call duration by side-effect kind and mode (sync or queued).",
                           labels: [("kind", kind), ("mode", mode)])
    }

    // MARK: Realtime

    var wsConnections: Gauge {
        registry.gauge("ws_connections", help: "Open WebSocket connections.")
    }

    func wsMessages(_ direction: String) -> Counter {
        registry.counter("ws_messages_total", help: "WebSocket frames by direction (in, out).", labels: [("direction", direction)])
    }

    var wsDeliveryLag: DurationHistogram {
        registry.histogram("ws_delivery_lag_seconds", help: "Time from a transition's commit to the event's socket write.")
    }

    var wsSlowConsumerDisconnects: Counter {
        registry.counter("ws_slow_consumer_disconnects_total", help: "Connections closed because their send buffer filled up.")
    }

    // MARK: Readiness

    func readyCheck(_ dependency: String) -> Gauge {
        registry.gauge("exchange_ready_check", help: "Last readiness check per dependency: 1 ok, 0 down.", labels: [("dependency", dependency)])
    }
}
