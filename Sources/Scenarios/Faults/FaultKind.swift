/// What a scheduled fault breaks (docs/lab.md "Faults inside runs"). Every kind hits only
/// something the lab started for the run: its own Redis, its own replica, its own worker and
/// server processes, or the backends of the cell's own database.
public enum FaultKind: String, Codable, Sendable, CaseIterable {
    /// Stops the run's private Redis (SIGTERM: it writes its AOF) and starts it again after the duration.
    case redisRestart = "redis-restart"
    /// Stops the run's private streaming replica (`pg_ctl stop -m fast`) and starts it again.
    case replicaStop = "replica-stop"
    /// `kill -9` of a separate `exchange-server worker` process, restarted after the duration.
    case workerKill = "worker-kill"
    /// `kill -9` of one server instance, restarted after the duration.
    case serverKill = "server-kill"
    /// `pg_terminate_backend` of every backend of the cell's database, once.
    case pgTerminate = "pg-terminate"

    /// Whether the fault lasts (and is healed after its duration) or happens once.
    public var lasts: Bool { self != .pgTerminate }

    /// The duration used when none is given.
    public var defaultDuration: Double { lasts ? 5 : 0 }
}
