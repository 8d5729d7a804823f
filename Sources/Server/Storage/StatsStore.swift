import Foundation
import PostgresClient

/// The dashboard aggregate of docs/design.md §4 "Stats": requests created in `[from, to)`,
/// completed ones, completed volume per currency, mean processing time.
public struct Stats: Sendable {
    public var from: Date
    public var to: Date
    public var total: Int
    public var completed: Int
    public var volume: [(String, String)]
    public var avgProcessingMs: Double?
}

enum StatsStore {
    static let aggregate = PostgresQuery(
        "stats_window",
        """
        SELECT fiat_currency,
               count(*) AS total,
               count(*) FILTER (WHERE status = 'completed') AS completed,
               COALESCE(sum(fiat_amount) FILTER (WHERE status = 'completed'), 0)::numeric(14,2)::text AS volume,
               COALESCE(sum(EXTRACT(EPOCH FROM completed_at - processing_started_at) * 1000)
                   FILTER (WHERE status = 'completed'), 0)::float8 AS processing_ms
        FROM requests
        WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
        GROUP BY fiat_currency ORDER BY fiat_currency
        """
    )

    static func run(on pool: PostgresPool, from: Date, to: Date) async throws -> Stats {
        let rows = try await pool.query(aggregate, [ISO8601.string(from), ISO8601.string(to)]).rows
        var stats = Stats(from: from, to: to, total: 0, completed: 0, volume: [], avgProcessingMs: nil)
        var processingMs = 0.0
        for row in rows {
            let completed: Int = try row.decode("completed")
            stats.total += try row.decode("total", as: Int.self)
            stats.completed += completed
            processingMs += try row.decode("processing_ms", as: Double.self)
            if completed > 0 {
                stats.volume.append((try row.decode("fiat_currency"), try row.decode("volume")))
            }
        }
        if stats.completed > 0 {
            stats.avgProcessingMs = (processingMs / Double(stats.completed) * 1000).rounded() / 1000
        }
        return stats
    }
}
