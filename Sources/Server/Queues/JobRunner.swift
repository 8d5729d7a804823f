import Logging
import RedisClient
import WireJSON

/// Runs one delivered job: the provider call with the job's idempotency key, then exactly one
/// of complete / retry later / dead-letter, each an atomic script that also acknowledges the
/// entry. A job interrupted by cancellation (shutdown past its grace period, a killed worker)
/// is left pending: another worker reclaims it after the visibility timeout.
struct JobRunner: Sendable {
    let queue: QueueName
    let provider: ProviderClient
    let redis: any RedisCommandExecutor
    let keys: QueueKeys
    let policy: RetryPolicy
    let metrics: ServerMetrics
    let logger: Logger

    enum Outcome: String, Sendable {
        case completed, retried, dead, abandoned
    }

    /// Runs `entry`. `deliveries` is the stream's delivery count for it (1 on a first read;
    /// `XPENDING` tells it for a reclaimed entry): an entry delivered more than the policy's
    /// `maxAttempts` times without ever reaching an outcome — its worker crashed or was killed
    /// each time — is a poison job and goes to the dead letters without running again.
    @discardableResult
    func run(_ entry: RedisStreamEntry, deliveries: Int = 1) async -> Outcome {
        if entry.isDeleted {
            // Deleted while pending: nothing left to run, only the ack.
            _ = try? await redis.xack(keys.stream(queue), group: keys.group, ids: [entry.id])
            metrics.queueJobs(queue.rawValue, "trimmed").increment()
            return .abandoned
        }
        guard let job = JobEnvelope(fields: entry.fields) else {
            return await deadLetter(entryID: entry.id, fields: entry.fields, error: "malformed job entry", attempts: 0)
        }
        if deliveries > policy.maxAttempts {
            metrics.queuePoisonJobs(queue.rawValue).increment()
            let error = "delivered \(deliveries) times without an outcome (the worker stopped each time)"
            var fields = job.fields.reduce(into: [String: String]()) { $0[$1.field] = $1.value }
            fields[JobField.errors.rawValue] = JobEnvelope.encode(JobEnvelope.appending(error, attempt: job.attempt, to: job.errors))
            return await deadLetter(entryID: entry.id, fields: fields, error: error, attempts: job.attempt)
        }
        let started = UnixTime.nowMs()
        if job.enqueuedAtMs > 0 {
            metrics.queueJobWait(queue.rawValue).record(.milliseconds(max(0, started - job.enqueuedAtMs)))
        }
        let clock = ContinuousClock.now
        let result: Result<Void, Error>
        if let payload = JSON.parse(job.payload) {
            do {
                try await provider.send(job.kind, payload: payload, idempotencyKey: job.jobId)
                result = .success(())
            } catch {
                result = .failure(error)
                if !Task.isCancelled { metrics.sideEffectFailures(kind: job.kind.rawValue, mode: "queued").increment() }
            }
            let elapsed = ContinuousClock.now - clock
            metrics.sideEffect(kind: job.kind.rawValue, mode: "queued").record(elapsed)
            metrics.queueJobDuration(queue.rawValue).record(elapsed)
        } else {
            result = .failure(ProviderClient.Failure(description: "payload is not JSON"))
        }
        switch result {
        case .success:
            return await complete(entryID: entry.id, job: job)
        case .failure(let error):
            if Task.isCancelled { return abandoned() }
            metrics.queueJobs(queue.rawValue, "failed").increment()
            return await failed(entryID: entry.id, job: job, error: "\(error)")
        }
    }

    private func complete(entryID: String, job: JobEnvelope) async -> Outcome {
        var scriptKeys = [keys.stream(queue)]
        var arguments = [keys.group, entryID]
        if queue == .critical {
            scriptKeys.append(keys.completed(queue))
            arguments += [JobField.jobId, .kind, .attempt, .enqueuedAt].flatMap { [$0.rawValue, job.value(of: $0)] }
            arguments += ["completedAt", String(UnixTime.nowMs()), "entryId", entryID]
        }
        guard await settle(QueueScripts.complete, keys: scriptKeys, arguments: arguments) else { return abandoned() }
        metrics.queueJobs(queue.rawValue, "completed").increment()
        return .completed
    }

    private func failed(entryID: String, job: JobEnvelope, error: String) async -> Outcome {
        switch policy.decide(failedAttempt: job.attempt, random: Double.random(in: 0..<1)) {
        case .retry(let attempt, let delay):
            let next = job.failed(with: error, nextAttempt: attempt)
            let due = UnixTime.nowMs() + Int64(delay.seconds * 1000)
            guard
                await settle(
                    QueueScripts.retry,
                    keys: [keys.stream(queue), keys.delayed(queue)],
                    arguments: [keys.group, entryID, String(due), next.delayedMember]
                )
            else { return abandoned() }
            metrics.queueJobs(queue.rawValue, "retried").increment()
            logger.debug("job failed; retrying", metadata: ["queue": "\(queue.rawValue)", "job": "\(job.jobId)", "attempt": "\(job.attempt)"])
            return .retried
        case .deadLetter:
            var fields = job.fields.reduce(into: [String: String]()) { $0[$1.field] = $1.value }
            fields[JobField.errors.rawValue] = JobEnvelope.encode(JobEnvelope.appending(error, attempt: job.attempt, to: job.errors))
            return await deadLetter(entryID: entryID, fields: fields, error: error, attempts: job.attempt)
        }
    }

    private func deadLetter(entryID: String, fields: [String: String], error: String, attempts: Int) async -> Outcome {
        let kept: [(String, String)] = [JobField.jobId, .kind, .payload].map { ($0.rawValue, fields[field: $0] ?? $0.fallback) }
        let record =
            kept + [
                ("attempts", String(attempts)), ("lastError", String(error.prefix(JobEnvelope.maxErrorLength))),
                (JobField.errors.rawValue, fields[field: .errors] ?? JobEnvelope.encode([error])), ("failedAt", String(UnixTime.nowMs())),
                ("entryId", entryID),
            ]
        guard
            await settle(
                QueueScripts.deadLetter,
                keys: [keys.stream(queue), keys.dead(queue)],
                arguments: [keys.group, entryID] + record.flatMap { [$0.0, $0.1] }
            )
        else { return abandoned() }
        metrics.queueJobs(queue.rawValue, "dead").increment()
        logger.warning(
            "job dead-lettered",
            metadata: ["queue": "\(queue.rawValue)", "job": "\(fields[field: .jobId] ?? "?")", "attempts": "\(attempts)"]
        )
        return .dead
    }

    /// The job stays pending (interrupted, or its outcome could not be written): it is reclaimed
    /// and run again after the visibility timeout.
    private func abandoned() -> Outcome {
        metrics.queueJobs(queue.rawValue, "abandoned").increment()
        return .abandoned
    }

    /// Runs a settling script, retrying briefly if Redis hiccups. `false` when it never got
    /// through: the entry stays pending and is reclaimed (and run again) later.
    private func settle(_ script: String, keys scriptKeys: [String], arguments: [String]) async -> Bool {
        for pause in [Duration.milliseconds(100), .milliseconds(400), .seconds(1)] {
            do {
                try await redis.evalSHA(script, keys: scriptKeys, args: arguments)
                return true
            } catch {
                logger.warning("could not settle job; will retry", metadata: ["queue": "\(queue.rawValue)", "error": "\(error)"])
                try? await Task.sleep(for: pause)
            }
        }
        return false
    }
}
