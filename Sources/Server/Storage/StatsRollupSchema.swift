/// Migration 6: the hourly rollup behind `GET /api/stats` (docs/performance.md "Stats at scale").
///
/// `request_stats_hourly` holds, per hour of `created_at` (UTC, `date_bin` from the epoch) and
/// fiat currency, exactly what the stats aggregate sums over `requests`: how many were created,
/// how many of those are completed, their volume and their summed processing time. Triggers on
/// `requests` keep it in the writing transaction itself — no extra round trip, no queue:
///
/// - a row's contribution is added on INSERT, subtracted on DELETE, and moved on an UPDATE
///   that changes it (only completion, or a change of `created_at`, currency, amount or
///   processing times on a completed row: claim, release and start don't fire it);
/// - the triggers are deferred to commit, so the rollup row's lock is held only while the
///   transaction commits, and each backend writes its own `shard` of the row
///   (`pg_backend_pid() % 16`), so concurrent transactions rarely wait for each other.
///
/// `request_stats_compact(batch)` folds the shards of past hours into shard 0 (the retention
/// job calls it), so reading a long window touches about one row per hour and currency.
/// `request_stats_rebuild()` recomputes the whole table from `requests` (the migration uses it
/// to start from existing rows; `scripts/bench-stats` after seeding with triggers off).
enum StatsRollupSchema {
    static let sql = """
        CREATE TABLE request_stats_hourly (
            bucket timestamptz NOT NULL,
            fiat_currency text NOT NULL,
            shard smallint NOT NULL,
            total bigint NOT NULL,
            completed bigint NOT NULL,
            volume numeric NOT NULL,
            processing_ms numeric NOT NULL,
            PRIMARY KEY (bucket, fiat_currency, shard)
        );

        -- The hour a request counts in: whole UTC hours from the epoch, independent of TimeZone.
        CREATE FUNCTION request_stats_bucket(at timestamptz) RETURNS timestamptz
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN date_bin('1 hour', at, timestamptz '1970-01-01 00:00:00+00');

        -- Adds `sign` times one request's contribution to its hour.
        CREATE FUNCTION request_stats_add(r requests, sign int) RETURNS void LANGUAGE sql AS $$
            INSERT INTO request_stats_hourly AS h (bucket, fiat_currency, shard, total, completed, volume, processing_ms)
            VALUES (
                request_stats_bucket(r.created_at), r.fiat_currency, pg_backend_pid() % 16, sign,
                CASE WHEN r.status = 'completed' THEN sign ELSE 0 END,
                CASE WHEN r.status = 'completed' THEN sign * r.fiat_amount ELSE 0 END,
                CASE WHEN r.status = 'completed'
                     THEN sign * COALESCE(EXTRACT(EPOCH FROM r.completed_at - r.processing_started_at) * 1000, 0) ELSE 0 END
            )
            ON CONFLICT (bucket, fiat_currency, shard) DO UPDATE SET
                total = h.total + EXCLUDED.total,
                completed = h.completed + EXCLUDED.completed,
                volume = h.volume + EXCLUDED.volume,
                processing_ms = h.processing_ms + EXCLUDED.processing_ms
        $$;

        CREATE FUNCTION request_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM request_stats_add(OLD, -1); END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM request_stats_add(NEW, 1); END IF;
            RETURN NULL;
        END $$;

        CREATE CONSTRAINT TRIGGER request_stats_on_insert AFTER INSERT ON requests
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION request_stats_apply();
        CREATE CONSTRAINT TRIGGER request_stats_on_update AFTER UPDATE ON requests
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            WHEN ((OLD.status = 'completed') IS DISTINCT FROM (NEW.status = 'completed')
                  OR OLD.created_at IS DISTINCT FROM NEW.created_at
                  OR OLD.fiat_currency IS DISTINCT FROM NEW.fiat_currency
                  OR (NEW.status = 'completed'
                      AND (OLD.fiat_amount, OLD.processing_started_at, OLD.completed_at)
                          IS DISTINCT FROM (NEW.fiat_amount, NEW.processing_started_at, NEW.completed_at)))
            EXECUTE FUNCTION request_stats_apply();
        CREATE CONSTRAINT TRIGGER request_stats_on_delete AFTER DELETE ON requests
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION request_stats_apply();

        CREATE FUNCTION request_stats_clear() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM request_stats_hourly;
            RETURN NULL;
        END $$;
        CREATE TRIGGER request_stats_on_truncate AFTER TRUNCATE ON requests
            FOR EACH STATEMENT EXECUTE FUNCTION request_stats_clear();

        -- Recomputes the rollup from `requests`, with writers held off meanwhile.
        CREATE FUNCTION request_stats_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE hours bigint;
        BEGIN
            LOCK TABLE requests IN SHARE MODE;
            DELETE FROM request_stats_hourly;
            INSERT INTO request_stats_hourly (bucket, fiat_currency, shard, total, completed, volume, processing_ms)
            SELECT request_stats_bucket(created_at), fiat_currency, 0, count(*),
                   count(*) FILTER (WHERE status = 'completed'),
                   COALESCE(sum(fiat_amount) FILTER (WHERE status = 'completed'), 0),
                   COALESCE(sum(EXTRACT(EPOCH FROM completed_at - processing_started_at) * 1000)
                       FILTER (WHERE status = 'completed'), 0)
            FROM requests GROUP BY 1, 2;
            GET DIAGNOSTICS hours = ROW_COUNT;
            RETURN hours;
        END $$;

        -- Folds the shards of hours that ended more than an hour ago into shard 0 (at most `batch`
        -- rows per call), so the rollup keeps about one row per hour and currency. One statement:
        -- readers see the shards or their sum, never neither.
        CREATE FUNCTION request_stats_compact(batch int) RETURNS bigint LANGUAGE sql AS $$
            WITH moved AS (
                DELETE FROM request_stats_hourly
                WHERE (bucket, fiat_currency, shard) IN (
                    SELECT bucket, fiat_currency, shard FROM request_stats_hourly
                    WHERE shard <> 0 AND bucket < request_stats_bucket(now()) - interval '1 hour'
                    LIMIT batch FOR UPDATE SKIP LOCKED)
                RETURNING bucket, fiat_currency, total, completed, volume, processing_ms
            ), folded AS (
                INSERT INTO request_stats_hourly AS h (bucket, fiat_currency, shard, total, completed, volume, processing_ms)
                SELECT bucket, fiat_currency, 0, sum(total), sum(completed), sum(volume), sum(processing_ms)
                FROM moved GROUP BY bucket, fiat_currency
                ON CONFLICT (bucket, fiat_currency, shard) DO UPDATE SET
                    total = h.total + EXCLUDED.total,
                    completed = h.completed + EXCLUDED.completed,
                    volume = h.volume + EXCLUDED.volume,
                    processing_ms = h.processing_ms + EXCLUDED.processing_ms
            )
            SELECT count(*) FROM moved
        $$;

        SELECT request_stats_rebuild();
        """
}
