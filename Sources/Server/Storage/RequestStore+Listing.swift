import PostgresClient

extension RequestStore {
    /// Newest first by (`created_at`, `id`); one statement per filter shape so each gets its
    /// index (`requests_created_idx`, `requests_user_created_idx`, `requests_status_created_idx`).
    static func listQuery(byUser: Bool, byStatus: Bool) -> PostgresQuery {
        var conditions = ["(created_at, id) < ($1::timestamptz, $2::uuid)", "status <> 'created'"]
        var next = 4
        if byUser {
            conditions.append("user_id = $\(next)::uuid")
            next += 1
        }
        if byStatus { conditions.append("status = $\(next)") }
        return PostgresQuery(
            "request_list\(byUser ? "_user" : "")\(byStatus ? "_status" : "")",
            """
            SELECT \(RequestRows.requestColumns), created_at::text AS cursor_created_at FROM requests
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at DESC, id DESC LIMIT $3
            """
        )
    }

    static let listQueries: [String: PostgresQuery] = {
        var all: [String: PostgresQuery] = [:]
        for user in [false, true] {
            for status in [false, true] { all["\(user)-\(status)"] = listQuery(byUser: user, byStatus: status) }
        }
        return all
    }()

    public struct Page: Sendable {
        public var items: [ExchangeRequest]
        public var nextCursor: String?
    }

    /// One page; `userID` restricts to a user's own requests.
    public func list(userID: String?, status: RequestStatus?, limit: Int, cursor: String?) async throws -> Page {
        let position = cursor.flatMap(ListCursor.decode) ?? ("infinity", "ffffffff-ffff-ffff-ffff-ffffffffffff")
        var parameters: [(any PostgresBindable)?] = [position.createdAt, position.id, limit + 1]
        if let userID { parameters.append(userID) }
        if let status { parameters.append(status.rawValue) }
        guard let query = Self.listQueries["\(userID != nil)-\(status != nil)"] else { return Page(items: [], nextCursor: nil) }
        let rows = try await primary.query(query, parameters).rows
        let items = try rows.prefix(limit).map(RequestRows.request)
        var next: String?
        if rows.count > limit, let last = rows.prefix(limit).last {
            next = ListCursor.encode(createdAt: try last.decode("cursor_created_at"), id: try last.decode("id"))
        }
        return Page(items: items, nextCursor: next)
    }
}
