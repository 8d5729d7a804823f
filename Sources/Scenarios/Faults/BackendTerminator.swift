import PostgresClient

/// `pg_terminate_backend` of every client backend connected to one database — the cell's own
/// (never the shared `exchange` database other runs and tests use).
public struct BackendTerminator: Sendable {
    let admin: PostgresPool
    public let database: String

    /// Databases a fault must never touch: the shared development database and the
    /// maintenance ones.
    public static let refused: Set<String> = ["exchange", "postgres", "template0", "template1"]

    /// - Parameter admin: a superuser connection (terminating another role's backends needs one).
    public init(admin: PostgresPool, database: String) throws {
        guard !database.isEmpty, !Self.refused.contains(database) else {
            throw ScenarioError("pg-terminate refuses database \"\(database)\": name the run's own database (--database)")
        }
        self.admin = admin
        self.database = database
    }

    /// Terminates the backends; returns `N backends of <database>`.
    public func terminate() async throws -> String {
        let rows = try await admin.query(
            PostgresQuery(
                "lab_fault_terminate",
                """
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS terminated
                FROM pg_stat_activity
                WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                """
            ),
            [database]
        )
        let count = rows.rows.first.flatMap { try? $0.text("terminated") } ?? "0"
        return "\(count) backends of \(database)"
    }
}
