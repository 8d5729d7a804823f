/// Versioned schema changes, applied once each and in order by `Migrator`. Never edit a
/// migration that has shipped: add the next one.
enum Migrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let sql: String
    }

    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "users, sessions, otp",
            sql: """
                CREATE TABLE users (
                    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    phone text NOT NULL UNIQUE,
                    role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'operator')),
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE otp_codes (
                    phone text PRIMARY KEY,
                    code_hash text NOT NULL,
                    attempts int NOT NULL DEFAULT 0,
                    expires_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE sessions (
                    token_hash text PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users(id),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX sessions_user_idx ON sessions (user_id);
                """
        ),
        Migration(
            version: 2,
            name: "requests and the audit log",
            sql: """
                CREATE TABLE requests (
                    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                    user_id uuid NOT NULL REFERENCES users(id),
                    status text NOT NULL CHECK (status IN ('created', 'pending', 'assigned', 'processing', 'completed', 'failed', 'cancelled')),
                    fiat_currency text NOT NULL,
                    fiat_amount numeric(12, 2) NOT NULL CHECK (fiat_amount > 0),
                    crypto_currency text NOT NULL,
                    assigned_operator uuid REFERENCES users(id),
                    fail_reason text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    assigned_at timestamptz,
                    processing_started_at timestamptz,
                    completed_at timestamptz,
                    last_seq int NOT NULL DEFAULT 0
                );
                -- Listing is newest first: (created_at, id) descending, per user or per status.
                CREATE INDEX requests_created_idx ON requests (created_at DESC, id DESC);
                CREATE INDEX requests_user_created_idx ON requests (user_id, created_at DESC, id DESC);
                CREATE INDEX requests_status_created_idx ON requests (status, created_at DESC, id DESC);

                CREATE TABLE request_events (
                    request_id uuid NOT NULL REFERENCES requests(id),
                    seq int NOT NULL CHECK (seq > 0),
                    event text NOT NULL,
                    from_status text NOT NULL,
                    to_status text NOT NULL,
                    actor_id uuid NOT NULL,
                    actor_role text NOT NULL,
                    data jsonb NOT NULL DEFAULT '{}',
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (request_id, seq)
                );

                -- The audit log is append-only, enforced by the database itself.
                CREATE FUNCTION request_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'request_events is append-only (% refused)', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER request_events_no_update BEFORE UPDATE OR DELETE ON request_events
                    FOR EACH ROW EXECUTE FUNCTION request_events_immutable();
                CREATE TRIGGER request_events_no_truncate BEFORE TRUNCATE ON request_events
                    FOR EACH STATEMENT EXECUTE FUNCTION request_events_immutable();
                """
        ),
        Migration(
            version: 3,
            name: "transactional outbox",
            sql: """
                CREATE TABLE outbox (
                    id bigserial PRIMARY KEY,
                    queue text NOT NULL CHECK (queue IN ('critical', 'standard', 'analytics')),
                    kind text NOT NULL,
                    idempotency_key text NOT NULL UNIQUE,
                    request_id uuid,
                    payload jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    dispatched_at timestamptz,
                    last_error text
                );
                -- The dispatcher scans only what it hasn't moved yet.
                CREATE INDEX outbox_undispatched_idx ON outbox (id) WHERE dispatched_at IS NULL;
                CREATE INDEX outbox_request_idx ON outbox (request_id);
                """
        ),
        Migration(
            version: 4,
            name: "requests remember having had an operator",
            sql: """
                -- `release` clears assigned_operator; a later claim must still answer already_claimed.
                ALTER TABLE requests ADD COLUMN ever_assigned boolean NOT NULL DEFAULT false;
                UPDATE requests SET ever_assigned = true
                WHERE assigned_operator IS NOT NULL
                   OR EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = requests.id AND e.to_status = 'assigned');
                """
        ),
        Migration(
            version: 5,
            name: "sign-in hardening: wrong codes per phone, role versions",
            sql: """
                -- Wrong codes count per phone across re-issued codes, in a window that starts with
                -- the first wrong code and lasts an hour.
                CREATE TABLE otp_guesses (
                    phone text PRIMARY KEY,
                    window_started_at timestamptz NOT NULL,
                    failures int NOT NULL DEFAULT 0
                );
                -- Bumped by every role change, so a session cached from an older read can be refused.
                ALTER TABLE users ADD COLUMN role_version int NOT NULL DEFAULT 0;
                """
        ),
        Migration(version: 6, name: "hourly stats rollup, maintained by triggers", sql: StatsRollupSchema.sql),
    ]
}
