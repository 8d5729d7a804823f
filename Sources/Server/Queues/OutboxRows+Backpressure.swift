import PostgresClient

/// The dispatcher's claim while some streams are full: only rows of the queues still open.
extension OutboxRows {
    static let claimBatchForQueues = PostgresQuery(
        "outbox_claim_queues",
        """
        SELECT id, queue, kind, idempotency_key, payload::text AS payload,
               (EXTRACT(EPOCH FROM created_at) * 1000)::bigint AS created_ms
        FROM outbox WHERE dispatched_at IS NULL AND queue = ANY($2::text[]) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
        """
    )

    /// `{critical,standard}`, a text[] parameter of queue names (plain identifiers).
    static func textArray(_ values: [String]) -> String {
        "{" + values.joined(separator: ",") + "}"
    }
}
