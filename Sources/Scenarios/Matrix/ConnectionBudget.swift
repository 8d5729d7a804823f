import PostgresClient
import WireJSON

/// Whether a cell's servers fit PostgreSQL's `max_connections`, counted per server (primary
/// and replica), before any process starts. A cell that doesn't fit is refused with the numbers,
/// rather than failing half-way with "too many clients".
///
/// Per instance: its pool plus the readiness probe's own connection. Through PgBouncer the
/// primary sees only the pooler's server connections. The lab adds its admin and sampler
/// connections on the primary, and `headroom` is kept free (psql, monitoring, other clients);
/// `superuser_reserved_connections` are not available to the application role at all.
public struct ConnectionBudget: Sendable, Equatable {
    public struct Need: Sendable, Equatable {
        public var server: String
        public var needed: Int
        public var available: Int
        /// How `needed` was counted, e.g. `2 instances × (8 pool + 1 probe) + 2 lab + 5 headroom`.
        public var arithmetic: String

        public var fits: Bool { needed <= available }
    }

    /// Connections kept free on each server besides the reserved ones.
    public static let headroom = 5
    /// The lab's own connections to the primary: the admin connection and the resource sampler.
    public static let labConnections = 2

    public var primary: Need
    public var replica: Need

    /// - Parameters:
    ///   - maxConnections: `SHOW max_connections` of the primary and the replica.
    ///   - reserved: `SHOW superuser_reserved_connections` of each.
    public init(config: JSON, topology: Topology, primaryMax: Int, primaryReserved: Int, replicaMax: Int, replicaReserved: Int) {
        let instances = topology.instances
        let primaryPool = config[path: "db.primary.poolSize"]?.intValue ?? 10
        let replicaPool = config[path: "db.replica.poolSize"]?.intValue ?? 4
        let lab = Self.labConnections
        let headroom = Self.headroom
        if topology.pooler == .pgbouncer {
            primary = Need(
                server: "primary",
                needed: topology.poolerPoolSize + lab + headroom,
                available: primaryMax - primaryReserved,
                arithmetic: "PgBouncer pool \(topology.poolerPoolSize) + \(lab) lab + \(headroom) headroom"
            )
        } else {
            primary = Need(
                server: "primary",
                needed: instances * (primaryPool + 1) + lab + headroom,
                available: primaryMax - primaryReserved,
                arithmetic: "\(instances) instance\(instances == 1 ? "" : "s") × (\(primaryPool) pool + 1 probe) + \(lab) lab + \(headroom) headroom"
            )
        }
        replica = Need(
            server: "replica",
            needed: instances * (replicaPool + 1) + headroom,
            available: replicaMax - replicaReserved,
            arithmetic: "\(instances) instance\(instances == 1 ? "" : "s") × (\(replicaPool) pool + 1 probe) + \(headroom) headroom"
        )
    }

    /// Why the cell is refused, naming the numbers; nil when it fits.
    public var refusal: String? {
        let over = [primary, replica].filter { !$0.fits }
        guard !over.isEmpty else { return nil }
        return over.map {
            "the \($0.server) needs \($0.needed) connections (\($0.arithmetic)) but max_connections leaves \($0.available) for the application"
        }.joined(separator: "; ")
    }
}

extension ConnectionBudget {
    /// `max_connections` and `superuser_reserved_connections` of the server at `url`.
    public static func limits(url: String) async throws -> (max: Int, reserved: Int) {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: url,
                name: "lab-limits",
                poolSize: 1,
                acquireTimeout: .seconds(10),
                statementTimeout: .seconds(10)
            )
        )
        defer { pool.close() }
        let query = PostgresQuery(
            "lab_connection_limits",
            "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved"
        )
        guard let row = try await pool.query(query).first else { throw ScenarioError("no answer to SHOW max_connections at \(url)") }
        return (try row.decode("max", as: Int.self), try row.decode("reserved", as: Int.self))
    }
}
