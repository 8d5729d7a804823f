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
    }

    static let upsertUser = PostgresQuery("user_upsert", """
        WITH inserted AS (
            INSERT INTO users (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING RETURNING id, role
        )
        SELECT id, role FROM inserted UNION ALL SELECT id, role FROM users WHERE phone = $1 LIMIT 1
        """)

    static let promote = PostgresQuery("user_promote", """
        INSERT INTO users (phone, role) VALUES ($1, 'operator')
        ON CONFLICT (phone) DO UPDATE SET role = 'operator' RETURNING id, role
        """)

    static let storeCode = PostgresQuery("otp_store", """
        INSERT INTO otp_codes (phone, code_hash, attempts, expires_at, created_at)
        VALUES ($1, $2, 0, now() + make_interval(secs => $3::int), now())
        ON CONFLICT (phone) DO UPDATE SET code_hash = EXCLUDED.code_hash, attempts = 0,
            expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
        """)

    static let lockCode = PostgresQuery("otp_lock", """
        SELECT code_hash, attempts, expires_at > now() AS live FROM otp_codes WHERE phone = $1 FOR UPDATE
        """)

    static let countFailure = PostgresQuery("otp_fail", "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1")
    static let voidCode = PostgresQuery("otp_void", "DELETE FROM otp_codes WHERE phone = $1")

    static let createSession = PostgresQuery("session_create", """
        INSERT INTO sessions (token_hash, user_id, expires_at)
        SELECT $1, id, now() + make_interval(hours => $3::int) FROM users WHERE phone = $2
        RETURNING user_id
        """)

    static let sessionUser = PostgresQuery("session_get", """
        SELECT u.id, u.role, EXTRACT(EPOCH FROM s.expires_at - now())::bigint AS remaining
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()
        """)

    static let sessionsOfPhone = PostgresQuery("sessions_of_phone", """
        SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.phone = $1 AND s.expires_at > now()
        """)

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

    public enum CodeCheck: Sendable, Equatable {
        case accepted
        case rejected
    }

    /// Checks `codeHash` for `phone` atomically: a match consumes the code and opens a session
    /// with `tokenHash`; a miss counts an attempt and voids the code at `maxAttempts`.
    public func verify(
        phone: String, codeHash: String, tokenHash: String, maxAttempts: Int, sessionHours: Int
    ) async throws -> User? {
        try await primary.transaction { connection -> User? in
            guard let row = try await connection.query(Self.lockCode, [phone]).first else { return nil }
            let stored: String = try row.decode("code_hash")
            let attempts: Int = try row.decode("attempts")
            let live: Bool = try row.decode("live")
            guard live, attempts < maxAttempts else {
                _ = try await connection.query(Self.voidCode, [phone])
                return nil
            }
            guard ConstantTime.equal(stored, codeHash) else {
                if attempts + 1 >= maxAttempts {
                    _ = try await connection.query(Self.voidCode, [phone])
                } else {
                    _ = try await connection.query(Self.countFailure, [phone])
                }
                return nil
            }
            _ = try await connection.query(Self.voidCode, [phone])
            guard let session = try await connection.query(Self.createSession, [tokenHash, phone, sessionHours]).first else { return nil }
            let userID: String = try session.decode("user_id")
            return try user(from: try await connection.query(Self.userByID, [userID]).first)
        }
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
        return User(id: try row.decode("id"), role: role)
    }
}

enum ConstantTime {
    /// Compares without an early exit, so timing doesn't reveal how much of a code matched.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
