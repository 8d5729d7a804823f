import PostgresClient

/// Applies `Migrations.all` once each. Concurrent runs are safe: each holds a session advisory
/// lock for the whole run, so the second waits and then finds nothing left to do.
public struct Migrator: Sendable {
    /// An arbitrary constant identifying "exchange-lab schema migrations" among advisory locks.
    static let lockKey = 7_413_370_001

    static let ensureTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version int PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    static let appliedVersions = PostgresQuery("migrations_applied", "SELECT version FROM schema_migrations")
    static let record = PostgresQuery("migrations_record", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Returns the versions it applied (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.execute(Self.ensureTable)
        let done = Set(try await connection.query(Self.appliedVersions).rows.map { try $0.decode("version", as: Int.self) })
        var applied: [Int] = []
        for migration in Migrations.all where !done.contains(migration.version) {
            try await connection.execute("BEGIN")
            do {
                try await connection.execute(migration.sql)
                _ = try await connection.query(Self.record, [migration.version, migration.name])
                try await connection.execute("COMMIT")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw error
            }
            applied.append(migration.version)
        }
        return applied
    }
}
