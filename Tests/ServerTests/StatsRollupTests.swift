import Foundation
import PostgresClient
import Testing

@testable import Server

/// The hourly rollup behind `GET /api/stats` answers exactly what aggregating `requests` alone
/// answers, for any window and after any transition (`StatsRollupSchema`, `StatsStore`).
@Suite struct StatsRollupTests {
    static let plant = PostgresQuery(
        "t_rollup_plant",
        """
        INSERT INTO requests (user_id, status, fiat_currency, fiat_amount, crypto_currency, created_at, last_seq)
        VALUES ($1::uuid, 'pending', $2, $3::numeric, 'BTC', $4::timestamptz, 0) RETURNING id
        """
    )

    /// Both aggregates in one snapshot, so rows other tests commit meanwhile count in both or neither.
    static func compare(_ pool: PostgresPool, windows: [(Int64, Int64)]) async throws -> [(window: String, rollup: Stats, raw: Stats)] {
        try await pool.withConnection { connection in
            try await connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            var results: [(String, Stats, Stats)] = []
            for (from, to) in windows {
                let parameters = [ISO8601.string(milliseconds: from), ISO8601.string(milliseconds: to)]
                let fromDate = ISO8601.date(milliseconds: from)
                let toDate = ISO8601.date(milliseconds: to)
                let rollup = try StatsStore.stats(from: fromDate, to: toDate, rows: try await connection.query(StatsStore.aggregate, parameters).rows)
                let raw = try StatsStore.stats(from: fromDate, to: toDate, rows: try await connection.query(StatsStore.raw, parameters).rows)
                results.append(("[\(parameters[0]), \(parameters[1]))", rollup, raw))
            }
            try await connection.execute("COMMIT")
            return results
        }
    }

    static func expectSame(
        _ results: [(window: String, rollup: Stats, raw: Stats)],
        after step: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (window, rollup, raw) in results {
            let same =
                rollup.total == raw.total && rollup.completed == raw.completed && rollup.avgProcessingMs == raw.avgProcessingMs
                && rollup.volume.map { "\($0.0)=\($0.1)" } == raw.volume.map { "\($0.0)=\($0.1)" }
            #expect(
                same,
                "after \(step), window \(window): rollup \(rollup.total)/\(rollup.completed)/\(rollup.volume)/\(String(describing: rollup.avgProcessingMs)) vs raw \(raw.total)/\(raw.completed)/\(raw.volume)/\(String(describing: raw.avgProcessingMs))",
                sourceLocation: sourceLocation
            )
        }
    }

    @Test func rollupEqualsTheRawAggregateAcrossTransitionsAndWindows() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let pool = exchange.services.database.primary
            // A random hour in the 23rd century: no other test writes there.
            let hour: Int64 = 3_600_000
            let base = Int64.random(in: 2_000_000...2_800_000) * hour
            func at(_ ms: Int64, micros: Int64 = 0) -> String {
                // Microsecond precision, as PostgreSQL stores it (windows have milliseconds).
                let text = ISO8601.string(milliseconds: ms)
                return micros == 0 ? text : text.replacingOccurrences(of: "Z", with: String(String(micros + 1000).dropFirst()) + "Z")
            }
            // Rows on both sides of hour boundaries, and between a window's millisecond and the next.
            let planted: [(String, String, Int64, Int64)] = [
                ("USD", "10.25", 0, 0), ("USD", "20.50", 1, 0), ("EUR", "7.00", hour - 1, 500), ("GBP", "3.10", hour, 0),
                ("USD", "99.99", hour + 30 * 60_000, 250), ("EUR", "1.01", 2 * hour - 1, 0), ("USD", "5.00", 2 * hour + 123, 0),
                ("GBP", "42.00", 3 * hour + 5, 999), ("USD", "0.01", 4 * hour - 1, 999), ("EUR", "12.34", 4 * hour, 1),
            ]
            var ids: [String] = []
            for (fiat, amount, offset, micros) in planted {
                let row = try await pool.query(Self.plant, [user.userID, fiat, amount, at(base + offset, micros: micros)]).first
                ids.append(try #require(row).decode("id"))
            }
            let edges: [Int64] = [
                -hour, 0, 1, 2, hour / 2, hour - 1, hour, hour + 1, 2 * hour + 123, 2 * hour + 124, 3 * hour, 4 * hour - 1, 4 * hour, 5 * hour,
            ]
            var windows: [(Int64, Int64)] = []
            for (i, from) in edges.enumerated() {
                for to in edges[(i + 1)...] { windows.append((base + from, base + to)) }
            }
            func update(_ index: Int, _ assignments: String) async throws {
                let sql = "UPDATE requests SET \(assignments), updated_at = now() WHERE id = $1::uuid"
                _ = try await pool.query(PostgresQuery("t_rollup_update", sql), [ids[index]])
            }
            func complete(_ index: Int, afterMs: Int) async throws {
                try await update(
                    index,
                    "status = 'completed', processing_started_at = created_at + interval '1 second', completed_at = created_at + interval '1 second' + make_interval(secs => \(afterMs) / 1000.0)"
                )
            }

            Self.expectSame(try await Self.compare(pool, windows: windows), after: "creation")

            for index in [0, 2, 4, 6, 8] { try await update(index, "status = 'assigned'") }
            for index in [0, 2, 4, 6] { try await update(index, "status = 'processing', processing_started_at = created_at + interval '1 second'") }
            Self.expectSame(try await Self.compare(pool, windows: windows), after: "claim and start")

            try await complete(0, afterMs: 1500)
            try await complete(2, afterMs: 2250)
            try await complete(4, afterMs: 333)
            try await update(6, "status = 'failed', fail_reason = 'test'")
            try await update(9, "status = 'cancelled'")
            Self.expectSame(try await Self.compare(pool, windows: windows), after: "complete, fail, cancel")

            // A completed row's amount and times change; another moves to a different hour and currency.
            try await update(2, "fiat_amount = 8.88, completed_at = completed_at + interval '250 milliseconds'")
            try await update(4, "created_at = created_at + interval '90 minutes', fiat_currency = 'GBP'")
            try await update(8, "status = 'pending', assigned_operator = NULL")
            _ = try await pool.query(PostgresQuery("t_rollup_delete", "DELETE FROM requests WHERE id = $1::uuid"), [ids[7]])
            let all = try await Self.compare(pool, windows: windows)
            Self.expectSame(all, after: "edits, release and a delete")

            // The whole span: 9 rows, 3 completed; its whole hours came from the rollup.
            let span = try #require(
                all.first {
                    $0.window.hasPrefix("[\(ISO8601.string(milliseconds: base - hour))")
                        && $0.window.contains(ISO8601.string(milliseconds: base + 5 * hour))
                }
            )
            #expect(span.rollup.total == 9)
            #expect(span.rollup.completed == 3)
            #expect(span.rollup.volume.map { "\($0.0)=\($0.1)" } == ["EUR=8.88", "GBP=99.99", "USD=10.25"])
            #expect(span.rollup.rollupRows > 0)
            #expect(span.rollup.rawRows == 0, "whole-hour windows read no raw rows")
        }
    }

    @Test func transitionsThroughTheAPIKeepTheRollupExact() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            var ids: [String] = []
            for (amount, fiat) in [("100.50", "USD"), ("20.00", "EUR"), ("3.33", "USD"), ("7.77", "GBP")] {
                ids.append(try await exchange.createRequest(user, amount: amount, fiat: fiat))
            }
            for id in ids[0...2] {
                for action in ["claim", "start"] {
                    #expect(try await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token).status == 200)
                }
            }
            #expect(try await exchange.call(.POST, "/api/requests/\(ids[0])/complete", token: op.token).status == 200)
            #expect(try await exchange.call(.POST, "/api/requests/\(ids[1])/complete", token: op.token).status == 200)
            #expect(try await exchange.call(.POST, "/api/requests/\(ids[2])/fail", body: #"{"reason":"test"}"#, token: op.token).status == 200)
            #expect(try await exchange.call(.POST, "/api/requests/\(ids[3])/cancel", token: user.token).status == 200)

            let now = ISO8601.milliseconds(Date())
            let hour: Int64 = 3_600_000
            let thisHour = now / hour * hour
            let windows: [(Int64, Int64)] = [
                (now - 24 * hour, now + 1), (now - 24 * hour, now + hour), (thisHour, now + 1), (thisHour - 1, now + 1),
                (thisHour - 3 * hour + 17, thisHour + hour), (now - 60_000, now + 60_000), (0, now + 1),
            ]
            Self.expectSame(try await Self.compare(exchange.services.database.primary, windows: windows), after: "API transitions")
        }
    }
}
