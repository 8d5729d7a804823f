import Foundation
import PostgresClient

/// Users, one-time codes and sessions in PostgreSQL.
public struct UserStore: Sendable {
    let primary: PostgresPool

    public init(primary: PostgresPool) {
        self.primary = primary
    }

    public struct User: Sendable, Equatable {
        public var id: String
        public var role: Role
        /// Bumped by every role change (see ``SessionCache``).
        public var roleVersion: Int = 0
    }

    static let upsertUser = PostgresQuery(
        "user_upsert",
        """
        WITH inserted AS (
            INSERT INTO users (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING RETURNING id, role
        )
        SELECT id, role FROM inserted UNION ALL SELECT id, role FROM users WHERE phone = $1 LIMIT 1
        """
    )

    static let promote = PostgresQuery(
        "user_promote",
        """
        INSERT INTO users (phone, role) VALUES ($1, 'operator')
        ON CONFLICT (phone) DO UPDATE SET role = 'operator', role_version = users.role_version + 1 RETURNING id, role, role_version
        """
    )

    static let storeCode = PostgresQuery(
        "otp_store",
        """
        INSERT INTO otp_codes (phone, code_hash, attempts, expires_at, created_at)
        VALUES ($1, $2, 0, now() + make_interval(secs => $3::int), now())
        ON CONFLICT (phone) DO UPDATE SET code_hash = EXCLUDED.code_hash, attempts = 0,
            expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
        """
    )

    static let lockCode = PostgresQuery(
        "otp_lock",
        """
        SELECT code_hash, attempts, expires_at > now() AS live FROM otp_codes WHERE phone = $1 FOR UPDATE
        """
    )

    static let countFailure = PostgresQuery("otp_fail", "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1")
    static let voidCode = PostgresQuery("otp_void", "DELETE FROM otp_codes WHERE phone = $1")

    static let createSession = PostgresQuery(
        "session_create",
        """
        INSERT INTO sessions (token_hash, user_id, expires_at)
        SELECT $1, id, now() + make_interval(hours => $3::int) FROM users WHERE phone = $2
        RETURNING user_id
        """
    )

    static let sessionUser = PostgresQuery(
        "session_get",
        """
        SELECT u.id, u.role, u.role_version, EXTRACT(EPOCH FROM s.expires_at - now())::bigint AS remaining
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()
        """
    )

    static let sessionsOfPhone = PostgresQuery(
        "sessions_of_phone",
        """
        SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.phone = $1 AND s.expires_at > now()
        """
    )

    static let userByID = PostgresQuery("user_get", "SELECT id, role FROM users WHERE id = $1::uuid")

    /// Creates the user if new; returns it either way.
    public func ensureUser(phone: String) async throws -> User {
        try user(from: try await primary.query(Self.upsertUser, [phone]).first)
    }

    /// Creates or promotes `phone` to operator.
    public func grantOperator(phone: String) async throws -> User {
        try user(from: try await primary.query(Self.promote, [phone]).first)
    }

    /// Creates the user if new and replaces any previous code for `phone`, in one transaction
    /// with the SMS's outbox rows (none in sync mode).
    public func issueCode(phone: String, codeHash: String, ttlSeconds: Int, outbox: [SideEffectJob]) async throws {
        try await primary.transaction { connection in
            _ = try await connection.query(Self.upsertUser, [phone])
            _ = try await connection.query(Self.storeCode, [phone, codeHash, ttlSeconds])
            try await OutboxWriter.write(outbox, on: connection)
        }
    }

    public func voidCode(phone: String) async throws {
        _ = try await primary.query(Self.voidCode, [phone])
    }

    /// The phone's wrong-code window, locked for the transaction (so concurrent guesses for one
    /// phone are counted one after the other) and restarted once an hour has passed.
    static let lockGuesses = PostgresQuery(
        "otp_guesses_lock",
        """
        INSERT INTO otp_guesses AS g (phone, window_started_at, failures) VALUES ($1, now(), 0)
        ON CONFLICT (phone) DO UPDATE SET
            window_started_at = CASE WHEN g.window_started_at <= now() - interval '1 hour' THEN now() ELSE g.window_started_at END,
            failures = CASE WHEN g.window_started_at <= now() - interval '1 hour' THEN 0 ELSE g.failures END
        RETURNING failures, GREATEST(1, ceil(EXTRACT(EPOCH FROM g.window_started_at + interval '1 hour' - now())))::int AS retry_after
        """
    )

    static let countGuess = PostgresQuery("otp_guesses_fail", "UPDATE otp_guesses SET failures = failures + 1 WHERE phone = $1")

    public enum CodeCheck: Sendable, Equatable {
        case accepted(User)
        /// Wrong, expired, used or voided.
        case rejected
        /// Too many wrong codes for this phone this hour; even the right code is refused.
        case locked(retryAfterSeconds: Int)
    }

    /// Checks `codeHash` for `phone` atomically: a match consumes the code and opens a session
    /// with `tokenHash`; a miss counts against the code (voided at `maxAttempts`) and against the
    /// phone (`maxWrongPerHour` across codes, after which every check is `locked`).
    public func verify(
        phone: String,
        codeHash: String,
        tokenHash: String,
        maxAttempts: Int,
        maxWrongPerHour: Int,
        sessionHours: Int
    ) async throws -> CodeCheck {
        try await primary.transaction { connection -> CodeCheck in
            guard let window = try await connection.query(Self.lockGuesses, [phone]).first else { return .rejected }
            let failures: Int = try window.decode("failures")
            guard failures < maxWrongPerHour else { return .locked(retryAfterSeconds: try window.decode("retry_after")) }
            guard let row = try await connection.query(Self.lockCode, [phone]).first else {
                _ = try await connection.query(Self.countGuess, [phone])
                return .rejected
            }
            let stored: String = try row.decode("code_hash")
            let attempts: Int = try row.decode("attempts")
            let live: Bool = try row.decode("live")
            guard live, attempts < maxAttempts else {
                _ = try await connection.query(Self.voidCode, [phone])
                _ = try await connection.query(Self.countGuess, [phone])
                return .rejected
            }
            guard ConstantTime.equal(stored, codeHash) else {
                if attempts + 1 >= maxAttempts {
                    _ = try await connection.query(Self.voidCode, [phone])
                } else {
                    _ = try await connection.query(Self.countFailure, [phone])
                }
                _ = try await connection.query(Self.countGuess, [phone])
                return .rejected
            }
            _ = try await connection.query(Self.voidCode, [phone])
            guard let session = try await connection.query(Self.createSession, [tokenHash, phone, sessionHours]).first else { return .rejected }
            let userID: String = try session.decode("user_id")
            return .accepted(try user(from: try await connection.query(Self.userByID, [userID]).first))
        }
    }

    static let endSession = PostgresQuery("session_delete", "DELETE FROM sessions WHERE token_hash = $1")

    /// Revokes a session (logout).
    public func endSession(tokenHash: String) async throws {
        _ = try await primary.query(Self.endSession, [tokenHash])
    }

    /// The user of a live session and the session's remaining seconds.
    public func session(tokenHash: String) async throws -> (User, remainingSeconds: Int)? {
        guard let row = try await primary.query(Self.sessionUser, [tokenHash]).first else { return nil }
        return (try user(from: row), try row.decode("remaining"))
    }

    /// Token hashes of `phone`'s live sessions (to drop their cached copies).
    public func sessionHashes(phone: String) async throws -> [String] {
        try await primary.query(Self.sessionsOfPhone, [phone]).rows.map { try $0.decode("token_hash") }
    }

    private func user(from row: PostgresRow?) throws -> User {
        guard let row else { throw PostgresError.decoding(column: "id", reason: "no user row") }
        guard let role = Role(rawValue: try row.decode("role", as: String.self)) else {
            throw PostgresError.decoding(column: "role", reason: "unknown role")
        }
        let version = row.columns.contains("role_version") ? try row.decode("role_version", as: Int.self) : 0
        return User(id: try row.decode("id"), role: role, roleVersion: version)
    }
}

enum ConstantTime {
    /// Compares without an early exit, so timing doesn't reveal how much of a code matched.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
