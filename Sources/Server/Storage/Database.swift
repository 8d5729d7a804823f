import PostgresClient
import Synchronization

/// The primary and replica pools, wired to metrics, and the analytics routing rule.
public final class Database: Sendable {
    public let primary: PostgresPool
    public let replica: PostgresPool
    let routing: ServerConfiguration.Routing
    let metrics: ServerMetrics
    /// What the last probe of the replica found (see `ReplicaLagReading`).
    private let replicaLag = Mutex<ReplicaLagReading>(.unreachable)

    public init(configuration: ServerConfiguration, metrics: ServerMetrics) {
        self.metrics = metrics
        self.routing = configuration.db.routing
        func pool(_ name: String, _ settings: ServerConfiguration.Pool) -> PostgresPool {
            let acquire = metrics.poolAcquire(name)
            let timeouts = metrics.poolAcquireTimeouts(name)
            metrics.poolMaxConnections(name).set(Double(max(1, settings.poolSize)))
            var poolConfiguration = PostgresConfiguration(
                url: settings.url,
                name: name,
                poolSize: settings.poolSize,
                acquireTimeout: .milliseconds(configuration.db.pool.acquireTimeoutMs),
                statementTimeout: .milliseconds(configuration.db.pool.statementTimeoutMs)
            )
            poolConfiguration.preparedStatements = configuration.db.preparedStatements
            poolConfiguration.connectTimeout = .milliseconds(configuration.db.pool.connectTimeoutMs)
            return PostgresPool(
                configuration: poolConfiguration,
                observer: PostgresPoolObserver(
                    acquired: { acquire.record($0) },
                    timedOut: {
                        // The wait counts in the acquire histogram too: timed-out waiters are its slowest.
                        acquire.record($0)
                        timeouts.increment()
                    },
                    queryFinished: { query, duration, succeeded in
                        metrics.query(name, query).record(duration)
                        if !succeeded { metrics.queryErrors(name, query).increment() }
                    }
                )
            )
        }
        self.primary = pool("primary", configuration.db.primary)
        self.replica = pool("replica", configuration.db.replica)
    }

    /// Copies pool statistics into the `db_pool_*` gauges (called before each scrape).
    func updatePoolGauges() {
        for (name, pool) in [("primary", primary), ("replica", replica)] {
            let stats = pool.statistics()
            metrics.poolConnections(name, "idle").set(Double(stats.idle))
            metrics.poolConnections(name, "used").set(Double(stats.used))
            metrics.poolPending(name).set(Double(stats.pending))
        }
    }

    // MARK: Replica lag and routing

    /// Lag and the WAL receiver's state in one probe. Lag means something only while the
    /// receiver streams: a replica cut off from the primary replays nothing and would read as
    /// "0 behind" forever.
    static let lagQuery = PostgresQuery(
        "replica_lag",
        """
        SELECT pg_is_in_recovery() AS in_recovery,
               (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver,
               CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000000, 0) END::bigint AS lag_us
        """
    )

    /// Measures the replica's lag once (see `ReplicaMonitor` for the loop).
    func measureReplicaLag() async {
        let reading: ReplicaLagReading
        do {
            if let row = try await replica.query(Self.lagQuery).first {
                reading = ReplicaLagReading(
                    inRecovery: try row.decode("in_recovery"),
                    receiverStatus: try row.decode("receiver", as: String?.self),
                    lagMicros: try row.decode("lag_us")
                )
            } else {
                reading = .unreachable
            }
        } catch {
            reading = .unreachable
        }
        replicaLag.withLock { $0 = reading }
        // Unknown lag is exported as NaN, never as 0 (`db_replica_streaming` says why).
        let seconds: Double = reading.lag.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? .nan
        metrics.replicaLag.set(seconds)
        metrics.replicaStreaming.set(to: reading.isStreaming ? 1.0 : 0.0)
    }

    public enum AnalyticsTarget: String, Sendable {
        case primary, replica
    }

    /// Where the next analytics query goes, and why (counted in `db_routing_decisions_total`).
    func analyticsTarget() -> (AnalyticsTarget, reason: String) {
        guard routing.analytics == .replica else { return (.primary, "configured") }
        let reading = replicaLag.withLock { $0 }
        guard let lag = reading.lag else { return (.primary, reading.unknownReason) }
        guard lag <= .milliseconds(routing.maxReplicaLagMs) else { return (.primary, "replica_lagging") }
        return (.replica, "ok")
    }

    /// Runs an analytics read where routing says, falling back to the primary if the replica
    /// fails mid-query. Returns the result and the pool that answered.
    func analytics<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> (T, AnalyticsTarget) {
        let (target, reason) = analyticsTarget()
        if target == .replica {
            do {
                let result = try await body(replica)
                metrics.routing(target: "replica", reason: reason).increment()
                return (result, .replica)
            } catch let error as PostgresError where error.isConnectionError || error.isPoolTimeout {
                replicaLag.withLock { $0 = .unreachable }
                metrics.routing(target: "primary", reason: "replica_error").increment()
                return (try await body(primary), .primary)
            } catch let error as PostgresError where error.isTransient {
                // Cancelled on the replica (statement timeout, recovery conflict): the primary
                // answers instead; the replica stays in rotation.
                metrics.routing(target: "primary", reason: "replica_cancelled").increment()
                return (try await body(primary), .primary)
            }
        }
        metrics.routing(target: "primary", reason: reason).increment()
        return (try await body(primary), .primary)
    }

    public func close() {
        primary.close()
        replica.close()
    }
}

extension PostgresError {
    var isPoolTimeout: Bool {
        if case .poolTimeout = self { return true }
        return false
    }
}
