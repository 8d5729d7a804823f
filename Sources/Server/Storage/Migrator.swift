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
    /// The application role given row access after migrating (`db.appRole`); `nil` or empty:
    /// no grants (a deployment that manages privileges itself).
    let appRole: String?

    public init(pool: PostgresPool, appRole: String? = nil) {
        self.pool = pool
        self.appRole = appRole
    }

    /// Returns the versions it applied (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: connection)
                if let appRole, !appRole.isEmpty { try await grant(to: appRole, on: connection) }
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    /// Least privilege (docs/security.md): the application role may read and write rows and
    /// nothing else — it owns no table, so it cannot ALTER one or disable its triggers, and
    /// as a non-superuser it cannot set `session_replication_role`. The audit log is
    /// insert-only for it. Re-applied after every run (idempotent); tables the migrating
    /// role creates later get the same grants by default. A missing role is skipped.
    static func grantStatements(role: String) -> String {
        """
        DO $grant$
        DECLARE r record;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(role)') THEN RETURN; END IF;
            EXECUTE 'GRANT USAGE ON SCHEMA public TO \(role)';
            -- Only what the migrating role owns: objects someone else created are theirs to grant.
            FOR r IN
                SELECT c.oid::regclass AS name, c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') AND pg_has_role(c.relowner, 'USAGE')
            LOOP
                IF r.relkind = 'S' THEN
                    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO \(role)', r.name);
                ELSIF r.relname IN ('request_events', 'schema_migrations') THEN
                    EXECUTE format('GRANT SELECT ON %s TO \(role)', r.name);
                    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM \(role)', r.name);
                    IF r.relname = 'request_events' THEN
                        EXECUTE format('GRANT INSERT ON %s TO \(role)', r.name);
                    ELSE
                        EXECUTE format('REVOKE INSERT ON %s FROM \(role)', r.name);
                    END IF;
                ELSE
                    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO \(role)', r.name);
                END IF;
            END LOOP;
            EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(role)';
            EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO \(role)';
        END $grant$
        """
    }

    private func grant(to role: String, on connection: PostgresConnection) async throws {
        guard ServerConfiguration.isRoleName(role) else { return }
        try await connection.execute(Self.grantStatements(role: role))
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
