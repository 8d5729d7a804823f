import Foundation
import Hummingbird
import WireJSON

/// `GET /api/stats?from=&to=` — the dashboard aggregate, routed by `db.routing.analytics`.
struct StatsRoutes: Sendable {
    let database: Database

    /// Registers on the authenticated `/api` group.
    func register(on api: RouterGroup<ExchangeContext>) {
        api.get("stats") { request, context in try await stats(request, context) }
    }

    func stats(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        guard Access.isOperator(try context.authenticatedActor()) else { throw APIError.forbidden }
        let (from, to) = try Self.window(request.uri.queryParameters, now: Date())
        let (stats, source) = try await database.analytics { pool in
            try await StatsStore.run(on: pool, from: from, to: to)
        }
        database.metrics.statsRowsRead("raw").increment(by: Int64(stats.rawRows))
        database.metrics.statsRowsRead("rollup").increment(by: Int64(stats.rollupRows))
        return .json(
            .object([
                ("from", .date(stats.from)),
                ("to", .date(stats.to)),
                ("total", .int(stats.total)),
                ("completed", .int(stats.completed)),
                ("volume", .object(stats.volume.map { ($0.0, .string($0.1)) })),
                ("avgProcessingMs", stats.avgProcessingMs.map(JSON.double) ?? .null),
                ("source", .string(source.rawValue)),
            ])
        )
    }

    /// `[from, to)`; defaults to the last 24 hours. Unparseable or empty windows are 422.
    static func window(_ parameters: Parameters, now: Date) throws -> (Date, Date) {
        var problems: [(String, String)] = []
        func parse(_ name: String) -> Date? {
            guard let text = parameters.get(name) else { return nil }
            guard let date = ISO8601.date(text) else {
                problems.append((name, "must be an ISO-8601 timestamp, e.g. 2026-11-28T00:00:00Z"))
                return nil
            }
            return date
        }
        let to = parse("to") ?? now
        let from = parse("from") ?? to.addingTimeInterval(-86_400)
        if problems.isEmpty, from >= to { problems.append(("from", "must be before to")) }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return (from, to)
    }
}
