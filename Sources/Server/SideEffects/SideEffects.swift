import Logging
import PostgresClient

/// Runs side effects the configured way.
///
/// - `sync`: after commit, the handler calls the provider inline and waits (the "before" of
///   the lab's experiment). A call that fails after commit doesn't undo the transition: the
///   job is written to the outbox, so the queue machinery retries it, and the response names it.
/// - `queued`: the transition's own transaction inserts outbox rows (`outboxJobs`); the
///   dispatcher and workers take it from there.
public struct SideEffects: Sendable {
    let mode: ServerConfiguration.SideEffectMode
    let provider: ProviderClient
    let primary: PostgresPool
    let metrics: ServerMetrics
    let logger: Logger

    /// The outbox payload for a transaction: every job in queued mode, none in sync mode.
    /// Plans are only built when they're used: in sync mode the outbox gets none.
    func outboxJobs(_ jobs: @autoclosure () -> [SideEffectJob]) -> String {
        mode == .queued ? SideEffectJob.outboxArray(jobs()) : "[]"
    }

    /// Sync mode: performs `jobs` now, concurrently, and returns the kinds that failed, each
    /// recorded for retry unless `retryFailures` is false (a voided OTP must not arrive later).
    /// Queued mode: nothing to do, returns `[]`.
    func afterCommit(
        _ plan: @autoclosure () -> [SideEffectJob], keyPrefix: String, requestID: String?, retryFailures: Bool = true
    ) async -> [SideEffectKind] {
        guard mode == .sync else { return [] }
        let jobs = plan()
        guard !jobs.isEmpty else { return [] }
        return await withTaskGroup(of: SideEffectKind?.self) { group in
            for job in jobs {
                group.addTask {
                    let key = "\(keyPrefix):\(job.key)"
                    do {
                        try await callNow(job, idempotencyKey: key)
                        return nil
                    } catch {
                        metrics.sideEffectFailures(kind: job.kind.rawValue, mode: "sync").increment()
                        if retryFailures {
                            await recordForRetry(job, idempotencyKey: key, requestID: requestID, error: "\(error)")
                        }
                        return job.kind
                    }
                }
            }
            var failed: [SideEffectKind] = []
            for await kind in group { if let kind { failed.append(kind) } }
            return failed
        }
    }

    /// One provider call, timed as `side_effect_duration_seconds{kind, mode="sync"}`.
    func callNow(_ job: SideEffectJob, idempotencyKey: String) async throws {
        let start = ContinuousClock.now
        defer { metrics.sideEffect(kind: job.kind.rawValue, mode: "sync").record(ContinuousClock.now - start) }
        try await provider.send(job.kind, payload: job.payload, idempotencyKey: idempotencyKey)
    }

    static let recordFailure = PostgresQuery("outbox_record_failure", """
        INSERT INTO outbox (queue, kind, idempotency_key, request_id, payload, last_error)
        VALUES ($1, $2, $3, $4::uuid, $5::jsonb, $6)
        ON CONFLICT (idempotency_key) DO NOTHING
        """)

    private func recordForRetry(_ job: SideEffectJob, idempotencyKey: String, requestID: String?, error: String) async {
        do {
            _ = try await primary.query(Self.recordFailure, [
                job.queue.rawValue, job.kind.rawValue, idempotencyKey, requestID, job.payload.serialized, error,
            ])
        } catch {
            logger.error("side effect failed and could not be recorded for retry", metadata: ["kind": "\(job.kind.rawValue)", "key": "\(idempotencyKey)"])
        }
    }
}
