import Foundation
import PostgresClient
import Synchronization

/// Samples, once a second inside a measured window, the CPU used by the server, the cell's
/// PostgreSQL backends, Redis and the load engine (from `/proc`), and what the backends are
/// doing (`pg_stat_activity` wait events). `end()` turns the samples into ``ResourceUsage``.
public final class ResourceSampler: Sendable {
    /// Where `pg_stat_activity` is read: the primary's URL, and the database whose backends count
    /// (nil: every database's).
    public struct Target: Sendable {
        public var postgresURL: String?
        public var database: String?
        public var serverPID: Int32?
        /// The cell's other server instances (their CPU counts as `server` too).
        public var otherServerPIDs: [Int32] = []
        /// The cell's latency relays and PgBouncer, by group (`relay`, `pooler`).
        public var helperPIDs: [Int32: String] = [:]

        public init(postgresURL: String? = nil, database: String? = nil, serverPID: Int32? = nil) {
            self.postgresURL = postgresURL
            self.database = database
            self.serverPID = serverPID
        }
    }

    private struct Window {
        var startedAt: ContinuousClock.Instant
        var machineStart: (busy: Double, total: Double, steal: Double)?
        var firstCPU: [Int32: Double] = [:]
        var lastCPU: [Int32: Double] = [:]
        var groups: [Int32: String] = [:]
        var waits: [String: Double] = [:]
        var samples = 0
    }

    let target: Target
    let pool: PostgresPool?
    let redisPIDs: [Int32]
    private let window = Mutex<Window?>(nil)

    public init(target: Target) {
        self.target = target
        self.pool = target.postgresURL.map {
            PostgresPool(
                configuration: PostgresConfiguration(
                    url: $0,
                    name: "lab-sampler",
                    poolSize: 1,
                    acquireTimeout: .seconds(1),
                    statementTimeout: .seconds(1)
                )
            )
        }
        self.redisPIDs = ProcFS.pids(named: "redis-server")
    }

    public func close() {
        pool?.close()
    }

    /// Opens a window with a first sample.
    public func begin() async {
        window.withLock { $0 = Window(startedAt: .now, machineStart: ProcFS.machineTicks()) }
        await tick()
    }

    /// Takes one sample if a window is open.
    public func tick() async {
        guard window.withLock({ $0 != nil }) else { return }
        let backends = await postgresBackends()
        var processes: [(Int32, String)] = [(getpid(), "engine")]
        if let server = target.serverPID { processes.append((server, "server")) }
        processes += target.otherServerPIDs.map { ($0, "server") }
        processes += target.helperPIDs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        processes += redisPIDs.map { ($0, "redis") }
        processes += backends.pids.map { ($0, "postgres") }
        // File reads stay off the Swift concurrency pool (the engine dispatches arrivals there).
        let sampled = processes
        let cpu = await withCheckedContinuation { (continuation: CheckedContinuation<[Int32: (String, Double)], Never>) in
            DispatchQueue.global(qos: .utility).async {
                var cpu: [Int32: (String, Double)] = [:]
                for (pid, group) in sampled {
                    if let seconds = ProcFS.cpuSeconds(pid: pid) { cpu[pid] = (group, seconds) }
                }
                continuation.resume(returning: cpu)
            }
        }
        window.withLock { window in
            guard window != nil else { return }
            for (pid, (group, seconds)) in cpu {
                if window?.firstCPU[pid] == nil { window?.firstCPU[pid] = seconds }
                window?.lastCPU[pid] = seconds
                window?.groups[pid] = group
            }
            if backends.sampled {
                for (state, count) in backends.states { window?.waits[state, default: 0] += Double(count) }
                window?.samples += 1
            }
        }
    }

    /// Closes the window (after a last sample) and summarises it.
    public func end() async -> ResourceUsage? {
        await tick()
        guard
            let closed = window.withLock({ state -> Window? in
                let result = state
                state = nil
                return result
            })
        else { return nil }
        let wall = (ContinuousClock.now - closed.startedAt).seconds
        guard wall > 0 else { return nil }
        var cores: [String: Double] = [:]
        for (pid, last) in closed.lastCPU {
            guard let group = closed.groups[pid], let first = closed.firstCPU[pid] else { continue }
            cores[group, default: 0] += max(0, last - first) / wall
        }
        var usage = ResourceUsage(coresUsed: cores, cores: availableCores(), samples: closed.samples)
        if let start = closed.machineStart, let end = ProcFS.machineTicks(), end.total > start.total {
            usage.machineBusy = (end.busy - start.busy) / (end.total - start.total)
            usage.machineSteal = (end.steal - start.steal) / (end.total - start.total)
        }
        if closed.samples > 0 {
            usage.postgresWaits = closed.waits.mapValues { $0 / Double(closed.samples) }
        }
        return usage
    }

    /// The backends of the target database, and how many are in each state right now.
    private func postgresBackends() async -> (pids: [Int32], states: [String: Int], sampled: Bool) {
        guard let pool else { return ([], [:], false) }
        let query = PostgresQuery(
            "lab_activity",
            """
            SELECT pid, coalesce(state, '') AS state, coalesce(wait_event_type, '') AS wait_type, coalesce(wait_event, '') AS wait_event
            FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND ($1::text = '' OR datname::text = $1::text)
            """
        )
        guard let rows = try? await pool.query(query, [target.database ?? ""]) else { return ([], [:], false) }
        var pids: [Int32] = []
        var states: [String: Int] = [:]
        for row in rows.rows {
            guard let pidText = try? row.text("pid"), let pid = Int32(pidText) else { continue }
            pids.append(pid)
            let state = (try? row.text("state")) ?? ""
            let waitType = (try? row.text("wait_type")) ?? ""
            let waitEvent = (try? row.text("wait_event")) ?? ""
            switch state {
            case "active": states[waitType.isEmpty ? "CPU" : "\(waitType):\(waitEvent)", default: 0] += 1
            case "idle in transaction", "idle in transaction (aborted)": states["idle in transaction", default: 0] += 1
            default: break
            }
        }
        return (pids, states, true)
    }
}
