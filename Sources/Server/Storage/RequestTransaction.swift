import Foundation
import PostgresClient
import WireJSON

/// The statements of one request transaction: lock, insert, apply. Each write is a single
/// statement that changes the row, appends the audit event with the next gapless `seq` and
/// writes the outbox rows (``OutboxWriter``), and it is the transaction's last statement: it
/// carries the `COMMIT` in its round trip, as the lock carries the `BEGIN`. So a transition
/// costs two round trips (BEGIN + lock, then write + COMMIT) whatever the side effects, and a
/// creation one (BEGIN + insert + COMMIT), as measured in docs/performance.md.
///
/// They run on the connection's own thread (``PostgresBlockingSession``), the decision between
/// them too: a transition is one hop to that thread and back, not one per round trip.
struct RequestTransaction {
    let session: PostgresBlockingSession

    static let lock = PostgresQuery(
        "request_lock",
        """
        SELECT \(RequestRows.requestColumns) FROM requests WHERE id = $1::uuid FOR UPDATE
        """
    )

    /// $1 id, $2 owner, $3 status, $4 fiat, $5 amount, $6 crypto, $7 event name, $8 from
    /// status, $9 actor role, $10 event data, $11 outbox jobs.
    static let insert = PostgresQuery(
        "request_create",
        """
        WITH r AS (
            INSERT INTO requests (id, user_id, status, fiat_currency, fiat_amount, crypto_currency, last_seq)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5::numeric, $6, 1)
            RETURNING \(RequestRows.requestColumns)
        ), e AS (
            INSERT INTO request_events (request_id, seq, event, from_status, to_status, actor_id, actor_role, data, created_at)
            SELECT id, last_seq, $7, $8, status, user_id, $9, $10::jsonb, created_at FROM r
            RETURNING seq
        ), o AS (
            \(OutboxWriter.insert(jobsParameter: 11))
        )
        SELECT r.* FROM r, e
        """
    )

    /// $1 id, $2 new status, $3 actor, $4 from status, $5 actor role, $6 fail reason, $7 event
    /// data, $8 outbox jobs, $9 event name.
    static let transition = PostgresQuery(
        "request_transition",
        """
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
            SELECT id, last_seq, $9, $4, $2, $3::uuid, $5, $7::jsonb, updated_at FROM r
            RETURNING seq
        ), o AS (
            \(OutboxWriter.insert(jobsParameter: 8))
        )
        SELECT r.* FROM r, e
        """
    )

    /// The request, locked until the transaction ends; `nil` when there is none.
    func lock(id: String) throws -> ExchangeRequest? {
        try session.query(Self.lock, [id]).first.map(RequestRows.request)
    }

    /// Inserts `draft` as `rule` decided (status `rule.to`, event seq 1 from `rule.from`), and
    /// commits.
    func insert(
        _ draft: ExchangeRequest,
        rule: Lifecycle.Rule,
        by actor: Actor,
        data: JSON,
        outbox: [SideEffectJob]
    ) throws
        -> (ExchangeRequest, RequestEvent)
    {
        let rows = try session.query(
            Self.insert,
            [
                draft.id, draft.userId, rule.to.rawValue, draft.fiatCurrency, draft.fiatAmount, draft.cryptoCurrency,
                Lifecycle.eventName(rule.to), rule.from.rawValue, actor.role.rawValue, data.serialized, OutboxWriter.parameter(outbox),
            ],
            thenCommit: true
        )
        guard let row = rows.first else { throw PostgresError.decoding(column: "id", reason: "insert returned nothing") }
        let request = try RequestRows.request(row)
        return (request, Self.event(of: request, rule: rule, by: actor, data: data, at: request.createdAt))
    }

    /// Applies `rule` to the locked request `id` by `actor`, and commits.
    func apply(
        _ rule: Lifecycle.Rule,
        to id: String,
        by actor: Actor,
        failReason: String?,
        data: JSON,
        outbox: [SideEffectJob]
    ) throws
        -> (ExchangeRequest, RequestEvent)
    {
        let rows = try session.query(
            Self.transition,
            [
                id, rule.to.rawValue, actor.id, rule.from.rawValue, actor.role.rawValue, failReason,
                data.serialized, OutboxWriter.parameter(outbox), Lifecycle.eventName(rule.to),
            ],
            thenCommit: true
        )
        guard let row = rows.first else { throw PostgresError.decoding(column: "id", reason: "update returned nothing") }
        let request = try RequestRows.request(row)
        return (request, Self.event(of: request, rule: rule, by: actor, data: data, at: request.updatedAt))
    }

    private static func event(of request: ExchangeRequest, rule: Lifecycle.Rule, by actor: Actor, data: JSON, at time: Date) -> RequestEvent {
        RequestEvent(
            requestId: request.id,
            seq: request.lastSeq,
            event: Lifecycle.eventName(rule.to),
            fromStatus: rule.from,
            toStatus: rule.to,
            actorId: actor.id,
            actorRole: actor.role.rawValue,
            data: data,
            createdAt: time
        )
    }
}

extension RequestStore {
    /// The claim transaction's statements with pgbench variables in place of parameters:
    /// `:rid` (request id), `:op` (operator id) and `:owner` (the request's owner, named in the
    /// email job). `scripts/bench-claim` runs exactly this SQL
    /// through pgbench to compare with the same transaction through HTTP, outbox rows included:
    /// the email and analytics jobs a claim writes, as ``SideEffectPlan`` plans them.
    public static func pgbenchClaimScript() -> String {
        func substitute(_ sql: String, _ values: [String]) -> String {
            var text = sql
            for (index, value) in values.enumerated().reversed() { text = text.replacingOccurrences(of: "$\(index + 1)", with: value) }
            return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
        let placeholder = "00000000-0000-4000-8000-00000000b1d0"
        let owner = "00000000-0000-4000-8000-0000000000a1"
        let claimed = ExchangeRequest(
            id: placeholder,
            userId: owner,
            status: .assigned,
            fiatCurrency: "USD",
            fiatAmount: "10.00",
            cryptoCurrency: "BTC",
            assignedOperator: placeholder,
            createdAt: .now,
            updatedAt: .now,
            assignedAt: .now,
            processingStartedAt: nil,
            completedAt: nil,
            lastSeq: 1
        )
        // With `-M prepared` pgbench binds `:rid` as a parameter, which it can't be inside a
        // literal: the ids are spliced into the jobs' text by `replace` instead.
        let jobs = pgbenchLiteral(OutboxWriter.parameter(SideEffectPlan.transition(claimed, from: .pending)))
        let outbox = "replace(replace(\(jobs), '\(placeholder)', :rid::text), '\(owner)', :owner::text)"
        return [
            "SELECT id AS rid FROM bench_claim_ids WHERE n = (SELECT nextval('bench_claim_seq')) \\gset",
            "BEGIN;",
            substitute(RequestTransaction.lock.sql, [":rid"]) + ";",
            substitute(
                RequestTransaction.transition.sql,
                [":rid", "'assigned'", ":op", "'pending'", "'operator'", "NULL", "'{}'", outbox, "'status:assigned'"]
            ) + ";",
            "COMMIT;",
        ].joined(separator: "\n") + "\n"
    }

    /// `json` as an SQL string literal pgbench leaves alone: pgbench reads every `:name` as a
    /// variable, even inside a literal, so a colon inside a JSON string becomes `\u003a` and a
    /// colon between a key and its value is followed by a space (same `jsonb` value).
    static func pgbenchLiteral(_ json: String) -> String {
        var text = ""
        var inString = false
        var escaped = false
        for character in json {
            switch character {
            case ":" where inString: text += "\\u003a"
            case ":": text += ": "
            case "'": text += "''"
            default: text.append(character)
            }
            if inString, character == "\\", !escaped {
                escaped = true
                continue
            }
            if character == "\"", !escaped { inString.toggle() }
            escaped = false
        }
        return "'" + text + "'"
    }
}
