import PostgresClient

/// The dispatcher's statements on the `outbox` table.
enum OutboxRows {
    /// The oldest undispatched rows, locked; rows another dispatcher holds are skipped.
    static let claimBatch = PostgresQuery(
        "outbox_claim",
        """
        SELECT id, queue, kind, idempotency_key, payload::text AS payload,
               (EXTRACT(EPOCH FROM created_at) * 1000)::bigint AS created_ms
        FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
        """
    )

    /// Marks rows dispatched; a sign-in SMS keeps no payload once it is on its stream (even
    /// sealed, a code has no business staying in a table that is backed up and replicated).
    static let markDispatched = PostgresQuery(
        "outbox_mark_dispatched",
        """
        UPDATE outbox SET dispatched_at = now(),
            payload = CASE WHEN kind = 'sms' THEN '{"redacted":true}'::jsonb ELSE payload END
        WHERE id = ANY($1::bigint[])
        """
    )

    /// A cheap look before opening a transaction while idle.
    static let anyPending = PostgresQuery(
        "outbox_any_pending",
        """
        SELECT EXISTS (SELECT 1 FROM outbox WHERE dispatched_at IS NULL) AS pending
        """
    )

    static let pendingCount = PostgresQuery(
        "outbox_pending_count",
        """
        SELECT count(*) AS pending FROM outbox WHERE dispatched_at IS NULL
        """
    )

    /// One claimed row.
    struct Row: Sendable {
        var id: Int64
        var queue: QueueName?
        var kind: String
        var key: String
        var payload: String
        var createdMs: Int64

        init(_ row: PostgresRow) throws {
            id = try row.decode("id")
            queue = QueueName(rawValue: try row.decode("queue", as: String.self))
            kind = try row.decode("kind")
            key = try row.decode("idempotency_key")
            payload = try row.decode("payload")
            createdMs = try row.decode("created_ms")
        }
    }

    /// `{1,2,3}`, a bigint[] parameter.
    static func idArray(_ ids: [Int64]) -> String {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }
}
