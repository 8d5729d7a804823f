import Foundation
import PostgresClient
import RedisClient
import WireJSON

/// Gives every cell of a matrix run its own PostgreSQL database and Redis namespace, so no
/// state (rows, dead letters, stalled jobs, rate-limit counters, sessions) carries from one
/// cell to the next and another server on the same Redis never takes a cell's jobs.
///
/// Once per run a template database is created and migrated (`exchange-server migrate`, as the
/// schema owner of `db.migrationUrl`); each cell gets `CREATE DATABASE <run>_c<n> TEMPLATE
/// <run>_template`, owned by that role, and the Redis key prefix `lab:<run>:c<n>:`. Cell
/// servers connect as the application role of `db.primary.url`, like any deployment. Databases
/// are created and dropped by an administrative connection (`EXCHANGE_LAB_ADMIN_URL`, default
/// the `postgres` superuser on the primary's host), which also reads `pg_stat_activity` for
/// `limitedBy`. After the cell its database is dropped and its Redis keys deleted, unless
/// `keep` is set. The template is dropped at the end of the run.
public final class CellIsolation: Sendable {
    public let runID: String
    public let primaryURL: String
    public let replicaURL: String
    public let migrationURL: String
    /// The superuser connection (database `postgres`) that creates and drops databases.
    public let adminURL: String
    public let redisURL: String
    public let keep: Bool
    let admin: PostgresPool

    public var templateName: String { runID + "_template" }

    /// - Parameter config: the matrix's base server configuration (its database and Redis URLs
    ///   are the ones the cells are carved from; the dev services' defaults otherwise).
    public init(config: JSON, keep: Bool, runID: String = CellIsolation.makeRunID()) {
        self.runID = runID
        self.keep = keep
        primaryURL = config[path: "db.primary.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55432/exchange"
        replicaURL = config[path: "db.replica.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55433/exchange"
        migrationURL = config[path: "db.migrationUrl"]?.stringValue ?? "postgresql://exchange_owner@127.0.0.1:55432/exchange"
        redisURL = config[path: "redis.url"]?.stringValue ?? "redis://127.0.0.1:56379"
        let adminURL = ProcessInfo.processInfo.environment["EXCHANGE_LAB_ADMIN_URL"] ?? Self.url(primaryURL, user: "postgres", database: "postgres")
        self.adminURL = adminURL
        admin = PostgresPool(
            configuration: PostgresConfiguration(
                url: adminURL,
                name: "lab-admin",
                poolSize: 1,
                acquireTimeout: .seconds(30),
                statementTimeout: .seconds(120)
            )
        )
    }

    /// `lab_<UTC yyyyMMddHHmmss>_<pid>_<random>`: unique per run (two runs of one process
    /// included), a valid unquoted identifier.
    public static func makeRunID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return "lab_\(formatter.string(from: Date()))_\(getpid())_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// The database name of cell `index`.
    public func databaseName(cell index: Int) -> String { "\(runID)_c\(index)" }

    /// The Redis key prefix of cell `index`.
    public func keyPrefix(cell index: Int) -> String { "lab:\(runID):c\(index):" }

    /// `url` with its database (the path) replaced, and its user too when `user` is given.
    public static func url(_ url: String, user: String? = nil, database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        var hostPart = String(rest.prefix { $0 != "/" && $0 != "?" })
        if let user {
            if let at = hostPart.lastIndex(of: "@") { hostPart = String(hostPart[hostPart.index(after: at)...]) }
            hostPart = user + "@" + hostPart
        }
        return String(url[..<schemeEnd.upperBound]) + hostPart + "/" + database + query
    }

    /// The user named in `url` (`postgresql://user[:password]@host/db`), if any.
    public static func user(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let hostPart = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = hostPart.lastIndex(of: "@") else { return nil }
        return String(hostPart[..<at].prefix { $0 != ":" })
    }

    /// `OWNER <role>` for new databases: the migration role, so it may create the schema.
    var ownerClause: String {
        guard let owner = Self.user(of: migrationURL), owner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return "" }
        return " OWNER \(owner)"
    }

    /// Creates the template database; `migrate` migrates it (given its application and
    /// migration URLs).
    public func prepareTemplate(migrate: (_ primaryURL: String, _ migrationURL: String) async throws -> Void) async throws {
        try await admin.execute("DROP DATABASE IF EXISTS \(templateName) WITH (FORCE)")
        try await admin.execute("CREATE DATABASE \(templateName)\(ownerClause)")
        try await migrate(Self.url(primaryURL, database: templateName), Self.url(migrationURL, database: templateName))
    }

    /// Creates cell `index`'s database from the template; returns the configuration with the
    /// cell's database URLs and Redis key prefix set.
    public func isolate(cell index: Int, config: JSON) async throws -> JSON {
        let name = databaseName(cell: index)
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try await admin.execute("CREATE DATABASE \(name) TEMPLATE \(templateName)\(ownerClause)")
        var result = config
        result.set(path: "db.primary.url", to: .string(Self.url(primaryURL, database: name)))
        result.set(path: "db.migrationUrl", to: .string(Self.url(migrationURL, database: name)))
        result.set(path: "db.replica.url", to: .string(Self.url(replicaURL, database: name)))
        result.set(path: "redis.keyPrefix", to: .string(keyPrefix(cell: index)))
        return result
    }

    /// Drops cell `index`'s database and deletes its Redis keys (unless `keep`).
    public func release(cell index: Int) async {
        guard !keep else { return }
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(databaseName(cell: index)) WITH (FORCE)")
        await deleteKeys(prefix: keyPrefix(cell: index))
    }

    /// Drops the template (always: it holds no results) and closes the admin connection.
    public func finish() async {
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(templateName) WITH (FORCE)")
        admin.close()
    }

    func deleteKeys(prefix: String) async {
        guard let configuration = try? RedisConfiguration(url: redisURL) else { return }
        let redis = RedisClient(configuration: configuration)
        var cursor = "0"
        repeat {
            guard let reply = try? await redis.send(["SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"]),
                case .array(let parts) = reply, parts.count == 2, let next = parts[0].string, case .array(let keys) = parts[1]
            else { break }
            let names = keys.compactMap(\.string)
            if !names.isEmpty { _ = try? await redis.del(names) }
            cursor = next
        } while cursor != "0"
        await redis.shutdown()
    }
}
