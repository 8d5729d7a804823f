/// A named SQL statement. The name labels `db_query_duration_seconds{query=…}` (bounded
/// cardinality) and identifies its prepared statement on each connection.
///
/// Declare statements as constants next to the code that runs them:
/// ```swift
/// static let lockRequest = PostgresQuery("request_lock", "SELECT … WHERE id = $1 FOR UPDATE")
/// ```
public struct PostgresQuery: Sendable, Hashable {
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// A value bound as a text-format parameter. Parameters are always sent separately from the
/// statement (`PQexecPrepared`), never interpolated into SQL.
public protocol PostgresBindable: Sendable {
    var postgresText: String { get }
}

extension String: PostgresBindable {
    public var postgresText: String { self }
}

extension Int: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresBindable {
    public var postgresText: String { self ? "t" : "f" }
}

extension Double: PostgresBindable {
    public var postgresText: String { String(self) }
}
