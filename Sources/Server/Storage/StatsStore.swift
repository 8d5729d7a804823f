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
    /// `requests` rows read for the window's partial hours (its edges).
    public var rawRows = 0
    /// `request_stats_hourly` rows read for the window's whole hours.
    public var rollupRows = 0
}

/// The stats aggregate, answered from the hourly rollup (`StatsRollupSchema`) for every whole
/// hour inside the window and from `requests` (through `requests_created_idx`) for the partial
/// hours at its two edges — the same numbers as aggregating `requests` alone (``raw``), at a
/// cost that no longer grows with the rows in the window (docs/performance.md "Stats at scale").
public enum StatsStore {
    /// Splits `[lo, hi)` at whole hours: `[lo, e1)` and `[e2, hi)` from `requests`, the hours
    /// `[e1, e2)` from the rollup. A window inside one hour has `e1 = e2` (all raw).
    static let aggregate = PostgresQuery(
        "stats_window",
        """
        WITH w AS (
            SELECT $1::timestamptz AS lo, $2::timestamptz AS hi,
                   request_stats_bucket($1::timestamptz - interval '1 microsecond') + interval '1 hour' AS h1,
                   request_stats_bucket($2::timestamptz) AS h2
        ), b AS (
            SELECT lo, hi, LEAST(h1, hi) AS e1, GREATEST(h2, LEAST(h1, hi)) AS e2 FROM w
        ), parts AS (
            SELECT fiat_currency, count(*) AS total, count(*) FILTER (WHERE status = 'completed') AS completed,
                   sum(fiat_amount) FILTER (WHERE status = 'completed') AS volume,
                   sum(EXTRACT(EPOCH FROM completed_at - processing_started_at) * 1000) FILTER (WHERE status = 'completed') AS processing_ms,
                   count(*) AS raw_rows, 0 AS rollup_rows
            FROM requests
            WHERE created_at >= (SELECT lo FROM b) AND created_at < (SELECT e1 FROM b)
            GROUP BY fiat_currency
            UNION ALL
            SELECT fiat_currency, sum(total), sum(completed), sum(volume), sum(processing_ms), 0, count(*)
            FROM request_stats_hourly
            WHERE bucket >= (SELECT e1 FROM b) AND bucket < (SELECT e2 FROM b)
            GROUP BY fiat_currency
            UNION ALL
            SELECT fiat_currency, count(*), count(*) FILTER (WHERE status = 'completed'),
                   sum(fiat_amount) FILTER (WHERE status = 'completed'),
                   sum(EXTRACT(EPOCH FROM completed_at - processing_started_at) * 1000) FILTER (WHERE status = 'completed'),
                   count(*), 0
            FROM requests
            WHERE created_at >= (SELECT e2 FROM b) AND created_at < (SELECT hi FROM b)
            GROUP BY fiat_currency
        )
        SELECT fiat_currency,
               sum(total)::bigint AS total,
               sum(completed)::bigint AS completed,
               round(COALESCE(sum(volume), 0), 2)::text AS volume,
               COALESCE(sum(processing_ms), 0)::float8 AS processing_ms,
               sum(raw_rows)::bigint AS raw_rows,
               sum(rollup_rows)::bigint AS rollup_rows
        FROM parts
        GROUP BY fiat_currency ORDER BY fiat_currency
        """
    )

    /// The same aggregate straight from `requests`: the definition the rollup must match
    /// (tests compare the two) and the "before" of docs/performance.md.
    static let raw = PostgresQuery(
        "stats_window_raw",
        """
        SELECT fiat_currency,
               count(*) AS total,
               count(*) FILTER (WHERE status = 'completed') AS completed,
               round(COALESCE(sum(fiat_amount) FILTER (WHERE status = 'completed'), 0), 2)::text AS volume,
               COALESCE(sum(EXTRACT(EPOCH FROM completed_at - processing_started_at) * 1000)
                   FILTER (WHERE status = 'completed'), 0)::float8 AS processing_ms,
               count(*) AS raw_rows, 0::bigint AS rollup_rows
        FROM requests
        WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
        GROUP BY fiat_currency ORDER BY fiat_currency
        """
    )

    /// The SQL of ``aggregate`` (or of ``raw``) with `$1`/`$2` for `from`/`to`, for
    /// `exchange-server bench stats-sql` (`scripts/bench-stats` explains both on the replica).
    public static func sql(raw: Bool) -> String {
        raw ? Self.raw.sql : aggregate.sql
    }

    static func run(on pool: PostgresPool, from: Date, to: Date) async throws -> Stats {
        let rows = try await pool.query(aggregate, [ISO8601.string(from), ISO8601.string(to)]).rows
        return try stats(from: from, to: to, rows: rows)
    }

    /// Folds the per-currency rows of ``aggregate`` or ``raw`` into the answer.
    static func stats(from: Date, to: Date, rows: [PostgresRow]) throws -> Stats {
        var stats = Stats(from: from, to: to, total: 0, completed: 0, volume: [], avgProcessingMs: nil)
        var processingMs = 0.0
        for row in rows {
            let completed: Int = try row.decode("completed")
            stats.total += try row.decode("total", as: Int.self)
            stats.completed += completed
            stats.rawRows += try row.decode("raw_rows", as: Int.self)
            stats.rollupRows += try row.decode("rollup_rows", as: Int.self)
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
