import Profiler
import Prometheus
import Synchronization

/// Every collector the server exports, registered from ``MetricCatalogue`` at start-up with
/// zero-valued series for the known label sets, so a scrape shows the full set — queue,
/// WebSocket and readiness metrics included — whatever the mode and before any traffic.
public final class ServerMetrics: Sendable {
    public let registry: MetricsRegistry
    /// CPU seconds already added to `process_cpu_seconds_total` (a counter only goes up by deltas).
    private let cpuReported = Mutex<Double>(0)

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        for definition in MetricCatalogue.all { registry.register(definition) }
        registry.gauge(.buildInfo, [BuildInfo.version, BuildInfo.swift]).set(1.0)
        registry.gauge(.processStartTime).set(ProcessStatistics.startTimeSeconds)
        if let max = ProcessStatistics.read().maxFileDescriptors { registry.gauge(.processMaxFDs).set(Double(max) as Double) }
    }

    /// Refreshes the values read at scrape time: heap and process statistics.
    public func updateProcessGauges() {
        if let heap = HeapStatistics.read() {
            registry.gauge(.heapAllocated).set(Double(heap.allocatedBytes))
            registry.gauge(.heapResident).set(Double(heap.residentBytes))
            registry.gauge(.heapActive).set(Double(heap.activeBytes))
            registry.gauge(.heapMetadata).set(Double(heap.metadataBytes))
        }
        let process = ProcessStatistics.read()
        if let fds = process.openFileDescriptors { registry.gauge(.processOpenFDs).set(Double(fds)) }
        if let resident = process.residentBytes { registry.gauge(.processResidentMemory).set(Double(resident)) }
        let delta = cpuReported.withLock { reported -> Double in
            let delta = max(0, process.cpuSeconds - reported)
            reported += delta
            return delta
        }
        if delta > 0 { registry.counter(.processCPU).increment(by: delta) }
    }

    /// Removes a gauge's series: a value that could not be sampled is absent, never frozen.
    func drop(_ gauge: Gauge) {
        registry.prometheus.unregisterGauge(gauge)
    }

    // MARK: HTTP

    func httpDuration(method: String, route: String, status: Int) -> DurationHistogram {
        registry.histogram(.httpRequestDuration, [method, route, String(status)])
    }

    func wsUpgrades(_ result: String) -> Counter {
        registry.counter(.wsUpgrades, [result])
    }

    // MARK: Exchange

    func transitions(from: RequestStatus, to: RequestStatus) -> Counter {
        registry.counter(.transitions, [from.rawValue, to.rawValue])
    }

    /// `outcome`: `ok` (committed), `conflict` (refused for the request's state: 409), `error`
    /// (any other refusal or failure inside the transaction: 403, 404, 422, a database error).
    func transitionDuration(_ action: RequestAction, outcome: TransitionOutcome) -> DurationHistogram {
        registry.histogram(.transitionDuration, [action.rawValue, outcome.rawValue])
    }

    // MARK: Database

    func poolAcquire(_ pool: String) -> DurationHistogram {
        registry.histogram(.poolAcquireDuration, [pool])
    }

    func poolAcquireTimeouts(_ pool: String) -> Counter {
        registry.counter(.poolAcquireTimeouts, [pool])
    }

    func poolConnections(_ pool: String, _ state: String) -> Gauge {
        registry.gauge(.poolConnections, [pool, state])
    }

    func poolMaxConnections(_ pool: String) -> Gauge {
        registry.gauge(.poolMaxConnections, [pool])
    }

    func poolPending(_ pool: String) -> Gauge {
        registry.gauge(.poolPending, [pool])
    }

    func query(_ pool: String, _ query: String) -> DurationHistogram {
        registry.histogram(.queryDuration, [pool, query])
    }

    func queryErrors(_ pool: String, _ query: String) -> Counter {
        registry.counter(.queryErrors, [pool, query])
    }

    var replicaLag: Gauge {
        registry.gauge(.replicaLag)
    }

    func routing(target: String, reason: String) -> Counter {
        registry.counter(.routingDecisions, [target, reason])
    }

    // MARK: Redis and rate limits

    func redisCommand(_ command: String) -> DurationHistogram {
        registry.histogram(.redisCommandDuration, [command])
    }

    func rateLimitDecision(_ limiter: String, _ result: String) -> Counter {
        registry.counter(.rateLimitDecisions, [limiter, result])
    }

    // MARK: Queues and side effects

    func queueJobs(_ queue: String, _ outcome: String) -> Counter {
        registry.counter(.queueJobs, [queue, outcome])
    }

    func queueDepth(_ queue: String, _ state: String) -> Gauge {
        registry.gauge(.queueDepth, [queue, state])
    }

    func queueOldestJobAge(_ queue: String) -> Gauge {
        registry.gauge(.queueOldestJobAge, [queue])
    }

    func queueJobWait(_ queue: String) -> DurationHistogram {
        registry.histogram(.queueJobWait, [queue])
    }

    func queueJobDuration(_ queue: String) -> DurationHistogram {
        registry.histogram(.queueJobDuration, [queue])
    }

    var outboxPending: Gauge {
        registry.gauge(.outboxPending)
    }

    var outboxOldestAge: Gauge {
        registry.gauge(.outboxOldestAge)
    }

    var outboxDispatchDelay: DurationHistogram {
        registry.histogram(.outboxDispatchDelay)
    }

    func sideEffect(kind: String, mode: String) -> DurationHistogram {
        registry.histogram(.sideEffectDuration, [kind, mode])
    }

    func sideEffectFailures(kind: String, mode: String) -> Counter {
        registry.counter(.sideEffectFailures, [kind, mode])
    }

    // MARK: Realtime

    var wsConnections: Gauge {
        registry.gauge(.wsConnections)
    }

    func wsMessages(_ direction: String) -> Counter {
        registry.counter(.wsMessages, [direction])
    }

    var wsDeliveryLag: DurationHistogram {
        registry.histogram(.wsDeliveryLag)
    }

    var wsSlowConsumerDisconnects: Counter {
        registry.counter(.wsSlowConsumerDisconnects)
    }

    // MARK: Readiness

    func readyCheck(_ dependency: String) -> Gauge {
        registry.gauge(.readyCheck, [dependency])
    }

    func readyCheckLastSuccess(_ dependency: String) -> Gauge {
        registry.gauge(.readyCheckLastSuccess, [dependency])
    }
}
