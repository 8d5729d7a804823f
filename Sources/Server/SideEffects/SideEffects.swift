import Logging
import PostgresClient

/// Runs side effects the configured way.
///
/// - `queued`: the jobs go into the outbox inside the committing transaction (``outbox(_:)``);
///   the dispatcher and workers take it from there.
/// - `sync`: after commit, ``performNow(_:retryFailures:)`` calls the provider inline and waits
///   (the "before" of the lab's experiment). A call that fails after commit doesn't undo the
///   transition: the job is written to the outbox with its error, so the queue retries it.
public struct SideEffects: Sendable {
    let mode: ServerConfiguration.SideEffectMode
    let provider: ProviderClient
    let primary: PostgresPool
    let metrics: ServerMetrics
    let logger: Logger

    /// The jobs a committing transaction writes to the outbox: all of them in queued mode,
    /// none in sync mode.
    func outbox(_ jobs: [SideEffectJob]) -> [SideEffectJob] {
        mode == .queued ? jobs : []
    }

    /// Sync mode: performs `jobs` now, concurrently, and returns the kinds that failed, each
    /// recorded for retry unless `retryFailures` is false (a voided OTP must not arrive later).
    /// Queued mode: nothing to do, returns `[]`.
    func performNow(_ jobs: [SideEffectJob], retryFailures: Bool = true) async -> [SideEffectKind] {
        guard mode == .sync, !jobs.isEmpty else { return [] }
        return await withTaskGroup(of: SideEffectKind?.self) { group in
            for job in jobs {
                group.addTask {
                    do {
                        try await callNow(job)
                        return nil
                    } catch {
                        metrics.sideEffectFailures(kind: job.kind.rawValue, mode: "sync").increment()
                        if retryFailures { await recordForRetry(job, error: "\(error)") }
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
    func callNow(_ job: SideEffectJob) async throws {
        let start = ContinuousClock.now
        defer { metrics.sideEffect(kind: job.kind.rawValue, mode: "sync").record(ContinuousClock.now - start) }
        try await provider.send(job.kind, payload: job.payload, idempotencyKey: job.key)
    }

    private func recordForRetry(_ job: SideEffectJob, error: String) async {
        do {
            try await OutboxWriter.write([job], lastError: error, on: primary)
        } catch {
            logger.error("side effect failed and could not be recorded for retry", metadata: ["kind": "\(job.kind.rawValue)", "key": "\(job.key)"])
        }
    }
}
