import WireJSON

/// How a cell is laid out around its servers: how many `exchange-server` instances share the
/// cell's PostgreSQL database and Redis namespace, how far (in round-trip time) the database
/// is, and whether a transaction-pooling PgBouncer sits between the servers and the primary.
///
/// These are lab axes, not server settings: a matrix's `topology` object sets the defaults and
/// an axis whose path is one of ``axisPaths`` varies them (`{"path": "instances", "values":
/// [1, 2, 4]}`); the runner turns them into processes and server URLs (docs/lab.md "Topology").
public struct Topology: Codable, Sendable, Equatable {
    public enum Pooler: String, Codable, Sendable, Equatable, CaseIterable {
        case none, pgbouncer
    }

    /// Server processes on consecutive ports from `ports.server`. Defaults to `1`.
    public var instances: Int = 1
    /// Added round-trip time to PostgreSQL (a relay delays each direction by half). Defaults to `0`.
    public var dbRttMs: Double = 0
    /// Uniform jitter added to each direction's delay, 0…`dbJitterMs / 2` ms. Defaults to `0`.
    public var dbJitterMs: Double = 0
    /// What the servers' primary URL points at. Defaults to `none` (PostgreSQL itself).
    public var pooler: Pooler = .none
    /// PgBouncer's server connections to the primary (`default_pool_size`). Defaults to `10`.
    public var poolerPoolSize: Int = 10

    /// One instance, the database as near as it is, no pooler: every field's default.
    public static let standard = Topology()

    /// Axis paths that set a topology field rather than a server setting.
    public static let axisPaths: Set<String> = ["instances", "dbRttMs", "dbJitterMs", "pooler", "pooler.poolSize"]

    /// The short name an axis gets in cell labels (`pooler.poolSize` → `poolerPoolSize`, so it
    /// is not mistaken for the server's `poolSize`).
    public static func labelName(_ path: String) -> String? {
        guard axisPaths.contains(path) else { return nil }
        return path == "pooler.poolSize" ? "poolerPoolSize" : path
    }

    /// This topology with the field of axis `path` set to `value`.
    public func setting(_ path: String, to value: JSON) throws -> Topology {
        var result = self
        switch path {
        case "instances":
            guard let count = value.intValue else { throw ScenarioError("axis instances: \(value) is not a whole number") }
            result.instances = count
        case "dbRttMs":
            guard let milliseconds = value.doubleValue else { throw ScenarioError("axis dbRttMs: \(value) is not a number") }
            result.dbRttMs = milliseconds
        case "dbJitterMs":
            guard let milliseconds = value.doubleValue else { throw ScenarioError("axis dbJitterMs: \(value) is not a number") }
            result.dbJitterMs = milliseconds
        case "pooler":
            guard let name = value.stringValue, let pooler = Pooler(rawValue: name) else {
                throw ScenarioError("axis pooler: \(value) is not one of \(Pooler.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            result.pooler = pooler
        case "pooler.poolSize":
            guard let size = value.intValue else { throw ScenarioError("axis pooler.poolSize: \(value) is not a whole number") }
            result.poolerPoolSize = size
        default:
            throw ScenarioError("\(path) is not a topology axis")
        }
        return result
    }

    public func validate() throws {
        guard (1...16).contains(instances) else { throw ScenarioError("topology.instances must be between 1 and 16 (got \(instances))") }
        guard dbRttMs >= 0, dbRttMs <= 1000, dbJitterMs >= 0, dbJitterMs <= 1000 else {
            throw ScenarioError("topology.dbRttMs and topology.dbJitterMs must be between 0 and 1000 ms")
        }
        guard (1...1000).contains(poolerPoolSize) else { throw ScenarioError("topology.poolerPoolSize must be between 1 and 1000") }
    }

    /// Whether the database is reached through the latency relay.
    public var relayed: Bool { dbRttMs > 0 || dbJitterMs > 0 }
}

// Decoding in an extension so the compiler still writes the memberwise initialiser; a
// missing field takes its default.
extension Topology {
    enum CodingKeys: String, CodingKey {
        case instances, dbRttMs, dbJitterMs, pooler, poolerPoolSize
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Topology()
        instances = try container.decodeIfPresent(Int.self, forKey: .instances) ?? defaults.instances
        dbRttMs = try container.decodeIfPresent(Double.self, forKey: .dbRttMs) ?? defaults.dbRttMs
        dbJitterMs = try container.decodeIfPresent(Double.self, forKey: .dbJitterMs) ?? defaults.dbJitterMs
        pooler = try container.decodeIfPresent(Pooler.self, forKey: .pooler) ?? defaults.pooler
        poolerPoolSize = try container.decodeIfPresent(Int.self, forKey: .poolerPoolSize) ?? defaults.poolerPoolSize
    }
}
