/// The parts of a run the lab started and may break: its own Redis and replica, its server
/// instances and worker processes, and its own database's backends. A fault whose part the
/// run does not own is refused before the run starts (``missingParts(for:)``).
public struct LabFaultTarget: FaultTarget {
    public var redis: PrivateRedis?
    public var replica: PrivateReplica?
    /// Server instances; `server-kill` kills the first.
    public var servers: [RestartableProcess] = []
    /// Separate `exchange-server worker` processes; `worker-kill` kills the first.
    public var workers: [RestartableProcess] = []
    public var backends: BackendTerminator?

    /// Why these kinds can't run against this target (nil when they all can).
    public func missingParts(for kinds: [FaultKind]) -> String? {
        var missing: [String] = []
        for kind in Set(kinds).sorted(by: { $0.rawValue < $1.rawValue }) {
            switch kind {
            case .redisRestart where redis == nil: missing.append("redis-restart needs the run's own Redis")
            case .replicaStop where replica == nil: missing.append("replica-stop needs the run's own replica")
            case .workerKill where workers.isEmpty: missing.append("worker-kill needs a separate worker process")
            case .serverKill where servers.isEmpty: missing.append("server-kill needs a server the lab started")
            case .pgTerminate where backends == nil: missing.append("pg-terminate needs the run's own database")
            default: break
            }
        }
        return missing.isEmpty ? nil : missing.joined(separator: "; ")
    }

    public func inject(_ kind: FaultKind) async throws -> String {
        switch kind {
        case .redisRestart: return try await part(redis, kind).stop()
        case .replicaStop: return try await part(replica, kind).stop()
        case .workerKill: return try await part(workers.first, kind).kill9()
        case .serverKill: return try await part(servers.first, kind).kill9()
        case .pgTerminate: return try await part(backends, kind).terminate()
        }
    }

    public func heal(_ kind: FaultKind) async throws {
        switch kind {
        case .redisRestart: try await part(redis, kind).start()
        case .replicaStop: try await part(replica, kind).start()
        case .workerKill: try await part(workers.first, kind).launch()
        case .serverKill: try await part(servers.first, kind).launch()
        case .pgTerminate: break
        }
    }

    private func part<T>(_ value: T?, _ kind: FaultKind) throws -> T {
        guard let value else { throw ScenarioError(missingParts(for: [kind]) ?? "\(kind.rawValue): nothing to break") }
        return value
    }
}
