import PostgresClient
import WireJSON

/// Writes side-effect jobs into the `outbox` table: the one INSERT every writer uses, whether
/// it runs inside a request's transition statement, with a sign-in code, or on its own (a
/// sync-mode call that failed after commit, recorded for the queue to retry).
///
/// Jobs travel as one `jsonb` array parameter; a key already in the outbox is skipped, so a
/// job is never written twice.
public enum OutboxWriter {
    /// The INSERT reading the jobs from parameter `$<parameter>`; usable as a CTE of a larger
    /// statement (the transition's) or alone.
    public static func insert(jobsParameter parameter: Int) -> String {
        """
        INSERT INTO outbox (queue, kind, idempotency_key, request_id, payload, last_error)
        SELECT x->>'queue', x->>'kind', x->>'key', (x->>'requestId')::uuid, x->'payload', x->>'lastError'
        FROM jsonb_array_elements($\(parameter)::jsonb) AS x
        ON CONFLICT (idempotency_key) DO NOTHING
        """
    }

    static let standalone = PostgresQuery("outbox_write", insert(jobsParameter: 1))

    /// The `jsonb` parameter for `jobs`; `lastError` marks jobs that already failed once.
    public static func parameter(_ jobs: [SideEffectJob], lastError: String? = nil) -> String {
        JSON.array(
            jobs.map { job in
                .object([
                    ("queue", .string(job.queue.rawValue)), ("kind", .string(job.kind.rawValue)), ("key", .string(job.key)),
                    ("requestId", .optional(job.requestID)), ("payload", job.payload), ("lastError", .optional(lastError)),
                ])
            }
        ).serialized
    }

    /// Writes `jobs` on `connection` (inside the caller's transaction).
    public static func write(_ jobs: [SideEffectJob], on connection: PostgresConnection) async throws {
        guard !jobs.isEmpty else { return }
        _ = try await connection.query(standalone, [parameter(jobs)])
    }

    /// Writes `jobs` in a statement of its own.
    public static func write(_ jobs: [SideEffectJob], lastError: String? = nil, on pool: PostgresPool) async throws {
        guard !jobs.isEmpty else { return }
        _ = try await pool.query(standalone, [parameter(jobs, lastError: lastError)])
    }
}
