import Hummingbird

/// `?status=&limit=&cursor=` of the listing.
struct ListQuery {
    var status: RequestStatus?
    var limit = 50
    var cursor: String?

    static func parse(_ parameters: Parameters) throws -> ListQuery {
        var query = ListQuery()
        var problems: [(String, String)] = []
        if let status = parameters.get("status") {
            if let parsed = RequestStatus(rawValue: status), parsed != .created {
                query.status = parsed
            } else {
                problems.append(("status", "must be one of pending, assigned, processing, completed, failed, cancelled"))
            }
        }
        if let limit = parameters.get("limit") {
            if let parsed = Int(limit), (1...200).contains(parsed) {
                query.limit = parsed
            } else {
                problems.append(("limit", "must be an integer in 1...200"))
            }
        }
        if let cursor = parameters.get("cursor") {
            if ListCursor.decode(cursor) != nil { query.cursor = cursor } else { problems.append(("cursor", "is not a cursor from this API")) }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return query
    }
}
