import Foundation
import PostgresClient

/// Requests and their audit log in PostgreSQL. Every state change is one transaction:
/// lock the row (`SELECT … FOR UPDATE`), let `Lifecycle` decide, update the row, append the
/// event with the next gapless `seq`, insert the side effects' outbox rows, commit.
public struct RequestStore: Sendable {
    let primary: PostgresPool

    public init(primary: PostgresPool) {
        self.primary = primary
    }

    static let insert = PostgresQuery("request_create", """
        WITH r AS (
            INSERT INTO requests (user_id, status, fiat_currency, fiat_amount, crypto_currency, last_seq)
            VALUES ($1::uuid, 'pending', $2, $3::numeric, $4, 1)
            RETURNING \(RequestRows.requestColumns)
        ), e AS (
            INSERT INTO request_events (request_id, seq, event, from_status, to_status, actor_id, actor_role, data, created_at)
            SELECT id, 1, 'status:pending', 'created', 'pending', user_id, 'user', $5::jsonb, created_at FROM r
            RETURNING seq
        ), o AS (
            INSERT INTO outbox (queue, kind, idempotency_key, request_id, payload)
            SELECT x->>'queue', x->>'kind', r.id::text || ':1:' || (x->>'key'), r.id,
                   CASE WHEN x->'payload' ? 'requestId' THEN jsonb_set(x->'payload', '{requestId}', to_jsonb(r.id::text)) ELSE x->'payload' END
            FROM jsonb_array_elements($6::jsonb) AS x, r
            RETURNING id
        )
        SELECT r.*, (SELECT count(*) FROM o) AS outbox_rows FROM r, e
        """)

    static let lock = PostgresQuery("request_lock", """
        SELECT \(RequestRows.requestColumns) FROM requests WHERE id = $1::uuid FOR UPDATE
        """)

    static let transition = PostgresQuery("request_transition", """
        WITH r AS (
            UPDATE requests SET
                status = $2,
                updated_at = now(),
                assigned_operator = CASE WHEN $2 = 'assigned' THEN $3::uuid WHEN $2 = 'pending' THEN NULL ELSE assigned_operator END,
                assigned_at = CASE WHEN $2 = 'assigned' THEN now() WHEN $2 = 'pending' THEN NULL ELSE assigned_at END,
                ever_assigned = ever_assigned OR $2 = 'assigned',
                processing_started_at = CASE WHEN $2 = 'processing' THEN now() ELSE processing_started_at END,
                completed_at = CASE WHEN $2 IN ('completed', 'failed') THEN now() ELSE completed_at END,
                fail_reason = CASE WHEN $2 = 'failed' THEN $6 ELSE fail_reason END,
                last_seq = last_seq + 1
            WHERE id = $1::uuid
            RETURNING \(RequestRows.requestColumns)
        ), e AS (
            INSERT INTO request_events (request_id, seq, event, from_status, to_status, actor_id, actor_role, data, created_at)
            SELECT id, last_seq, 'status:' || $2, $4, $2, $3::uuid, $5, $7::jsonb, updated_at FROM r
            RETURNING seq
        ), o AS (
            INSERT INTO outbox (queue, kind, idempotency_key, request_id, payload)
            SELECT x->>'queue', x->>'kind', $1 || ':' || (SELECT last_seq FROM r) || ':' || (x->>'key'), $1::uuid, x->'payload'
            FROM jsonb_array_elements($8::jsonb) AS x
            RETURNING id
        )
        SELECT r.*, (SELECT count(*) FROM o) AS outbox_rows FROM r, e
        """)

    static let byID = PostgresQuery("request_get", """
        SELECT \(RequestRows.requestColumns) FROM requests WHERE id = $1::uuid
        """)

    static let eventsAfter = PostgresQuery("request_events_after", """
        SELECT \(RequestRows.eventColumns) FROM request_events
        WHERE request_id = $1::uuid AND seq > $2 ORDER BY seq
        """)

    /// Creates a request in `pending` with its `status:pending` event (seq 1). `jobs` is the
    /// outbox payload (a JSON array) for queued side effects, `[]` in sync mode.
    public func create(
        userID: String, fiatCurrency: String, fiatAmount: String, cryptoCurrency: String, eventData: String, jobs: String
    ) async throws -> ExchangeRequest {
        let rows = try await primary.transaction { connection in
            try await connection.query(Self.insert, [userID, fiatCurrency, fiatAmount, cryptoCurrency, eventData, jobs])
        }
        guard let row = rows.first else { throw PostgresError.decoding(column: "id", reason: "insert returned nothing") }
        return try RequestRows.request(row)
    }

    /// The outcome of a transition attempt.
    public enum TransitionOutcome: Sendable {
        case done(ExchangeRequest, RequestEvent)
        case notFound
        case denied(Lifecycle.Denial)
        /// The actor may see the request but the body was refused (after the state checks).
        case invalid(field: String, problem: FieldProblem)
    }

    /// Locks the request, decides, applies. `visible` hides requests from users who don't own
    /// them (404 before 403, so ids can't be probed). `validate` runs after the state checks,
    /// so that 409 outranks 422. `jobs` builds the outbox rows from the updated request.
    public func transition(
        id: String,
        action: RequestAction,
        actor: Actor,
        failReason: String? = nil,
        validate: @Sendable () -> (field: String, problem: FieldProblem)? = { nil },
        eventData: @Sendable (ExchangeRequest) -> String = { _ in "{}" },
        jobs: @Sendable (ExchangeRequest, RequestStatus) -> String = { _, _ in "[]" }
    ) async throws -> TransitionOutcome {
        guard UUIDText.isValid(id) else { return .notFound }
        return try await primary.transaction { connection -> TransitionOutcome in
            guard let row = try await connection.query(Self.lock, [id]).first else { return .notFound }
            let current = try RequestRows.request(row)
            if actor.role == .user, current.userId != actor.id { return .notFound }
            let rule: Lifecycle.Rule
            switch Lifecycle.decide(action, by: actor, on: current.subject) {
            case .success(let decided): rule = decided
            case .failure(let denial): return .denied(denial)
            }
            if let invalid = validate() { return .invalid(field: invalid.field, problem: invalid.problem) }
            var next = current
            next.status = rule.to
            let updated = try await connection.query(Self.transition, [
                id, rule.to.rawValue, actor.id, rule.from.rawValue, actor.role.rawValue, failReason,
                eventData(next), jobs(next, rule.from),
            ])
            guard let updatedRow = updated.first else { return .notFound }
            let request = try RequestRows.request(updatedRow)
            let event = RequestEvent(
                requestId: request.id, seq: request.lastSeq, event: Lifecycle.eventName(rule.to),
                fromStatus: rule.from, toStatus: rule.to, actorId: actor.id, actorRole: actor.role.rawValue,
                data: eventData(next), createdAt: request.updatedAt
            )
            return .done(request, event)
        }
    }

    public func find(id: String) async throws -> ExchangeRequest? {
        guard UUIDText.isValid(id) else { return nil }
        return try await primary.query(Self.byID, [id]).first.map(RequestRows.request)
    }

    /// The request and every event after `afterSeq`, from one snapshot (so `lastSeq` and the
    /// events agree even while transitions commit).
    public func sync(id: String, afterSeq: Int) async throws -> (ExchangeRequest, [RequestEvent])? {
        guard UUIDText.isValid(id) else { return nil }
        return try await primary.transaction(isolation: .repeatableReadReadOnly) { connection in
            guard let row = try await connection.query(Self.byID, [id]).first else { return nil }
            let request = try RequestRows.request(row)
            let events = try await connection.query(Self.eventsAfter, [id, afterSeq]).rows.map(RequestRows.event)
            return (request, events)
        }
    }
}

/// Path ids are UUIDs; anything else is a 404 without touching the database.
enum UUIDText {
    static func isValid(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    static func random() -> String {
        UUID().uuidString.lowercased()
    }
}

extension RequestStore {
    /// The claim transaction's statements with pgbench variables in place of parameters:
    /// `:rid` (request id) and `:op` (operator id). `scripts/bench-claim` runs exactly this SQL
    /// through pgbench to compare with the same transaction through HTTP.
    public static func pgbenchClaimScript() -> String {
        func substitute(_ sql: String, _ values: [String]) -> String {
            var text = sql
            for (index, value) in values.enumerated().reversed() { text = text.replacingOccurrences(of: "$\(index + 1)", with: value) }
            return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
        return [
            "SELECT id AS rid FROM bench_claim_ids WHERE n = (SELECT nextval('bench_claim_seq')) \\gset",
            "BEGIN;",
            substitute(lock.sql, [":rid"]) + ";",
            substitute(transition.sql, [":rid", "'assigned'", ":op", "'pending'", "'operator'", "NULL", "'{}'", "'[]'"]) + ";",
            "COMMIT;",
        ].joined(separator: "\n") + "\n"
    }
}
