import Profiler

/// Turns one measured window into a ``CapacityStep``: client figures (successes and all
/// outcomes), the engine's self-judgement relative to what it measured, and the verdict
/// against the search's SLO.
struct StepJudge: Sendable {
    var search: SearchSpec?
    var primary: String

    var operation: String { search?.operation ?? primary }

    func judge(
        phase: String,
        offeredRate: Double,
        window: RecorderSnapshot,
        outcome: OpenLoopRunner.Outcome,
        connectionWaits: (queued: Int, waits: LatencyHistogram),
        server: ServerMetrics?,
        resources: ResourceUsage?
    ) -> CapacityStep {
        let operations = window.stats()
        let allOutcomes = window.allOutcomeStats()
        // Arrivals were scheduled over the planned window; the engine then waits for the last
        // ones to finish. Achieved = successes per planned second (the drain is not idle time).
        let duration = max(outcome.planned.seconds, 1e-9)
        let successes = Double(operations[operation]?.count ?? 0)
        let achieved = successes / duration
        let completedShare = outcome.scheduled > 0 ? successes / Double(outcome.scheduled) : 0
        var attempted = outcome.dropped
        var failed = outcome.dropped
        for (name, stats) in operations where !CellReport.derivedOperations.contains(name) {
            attempted += stats.count + stats.errors
            failed += stats.errors
        }
        let errorRate = attempted > 0 ? Double(failed) / Double(attempted) : 0
        let measured = allOutcomes[operation]
        let engine = outcome.health().judged(
            operationP50Ms: measured?.p50Ms,
            operationMaxMs: measured?.maxMs,
            connectionQueued: connectionWaits.queued,
            connectionWaitP99Ms: connectionWaits.waits.percentileMillis(99)
        )
        var errors = window.errorsByCode
        if outcome.dropped > 0 { errors["dropped_by_engine", default: 0] += outcome.dropped }
        var reasons: [String] = []
        if let search {
            if let p99 = measured?.p99Ms {
                if p99 > search.p99Ms { reasons.append("p99 of \(operation) \(formatMillis(p99)) > \(formatMillis(search.p99Ms))") }
            } else {
                reasons.append("no \(operation) completed")
            }
            if errorRate > search.maxErrorRate {
                reasons.append("error rate \(String(format: "%.2f", errorRate * 100))% > \(formatNumber(search.maxErrorRate * 100))%")
            }
            if completedShare < search.minAchievedRatio {
                reasons.append(
                    "only \(Int(successes)) of \(outcome.scheduled) arrivals completed \(operation) (< \(Int(search.minAchievedRatio * 100))%)"
                )
            }
        }
        let sloMet = reasons.isEmpty
        if !engine.trustworthy { reasons.append("engine not trustworthy: " + engine.reasons.joined(separator: "; ")) }
        return CapacityStep(
            phase: phase,
            offeredRate: offeredRate,
            achievedRate: achieved,
            seconds: duration,
            operations: operations,
            allOutcomes: allOutcomes,
            errorRate: errorRate,
            errors: errors,
            engine: engine,
            server: server,
            resources: resources,
            met: reasons.isEmpty,
            sloMet: sloMet,
            verdict: reasons.joined(separator: "; ")
        )
    }
}
