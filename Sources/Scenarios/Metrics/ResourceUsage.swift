/// Who used the CPU during a window, and what PostgreSQL's backends were waiting on.
public struct ResourceUsage: Codable, Sendable, Equatable {
    /// Cores used on average: `server`, `postgres` (the cell's backends), `redis`, `engine`.
    public var coresUsed: [String: Double] = [:]
    /// Machine-wide busy share of all cores, 0…1, and the share stolen by the hypervisor.
    public var machineBusy: Double = 0
    public var machineSteal: Double = 0
    public var cores: Int = 1
    /// Average number of the cell's backends in each state per sample: `CPU` (active, not
    /// waiting), `Lock:tuple`, `LWLock:WALWrite`, `IO:DataFileRead`, `idle in transaction`, …
    public var postgresWaits: [String: Double] = [:]
    /// One-second samples taken.
    public var samples: Int = 0

    /// The process group using the most CPU.
    public var topConsumer: (name: String, cores: Double)? {
        coresUsed.max { $0.value < $1.value }.map { ($0.key, $0.value) }
    }

    /// Active backends not waiting (on CPU), averaged.
    public var postgresOnCPU: Double { postgresWaits["CPU"] ?? 0 }

    /// Active backends waiting on locks or I/O, averaged.
    public var postgresBlocked: Double {
        postgresWaits.filter { $0.key.hasPrefix("Lock") || $0.key.hasPrefix("LWLock") || $0.key.hasPrefix("IO") }.values.reduce(0, +)
    }
}
