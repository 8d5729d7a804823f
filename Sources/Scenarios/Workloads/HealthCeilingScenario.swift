/// The load engine's own ceiling: `GET /health` at rate R, nothing else. Raise R until the
/// engine flags itself as not trustworthy (it fell behind its schedule or ran out of CPU);
/// the last trustworthy rate is what this machine's lab can drive. Compare with `wrk` on the
/// same endpoint (README, "Benchmarks").
public struct HealthCeilingScenario: Scenario {
    public let name = "health-ceiling"
    public let summary = "GET /health at rate R: the load engine's own ceiling, to compare with wrk"
    public let primaryOperation = "health"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let recorder = Recorder()
        let api = context.api
        let outcome = await context.measure(recorder: recorder, primary: primaryOperation) { _, scheduled, recorder in
            let answer = await api.get("/health")
            if answer.isSuccess {
                recorder.record("health", ContinuousClock.now - scheduled)
            } else {
                recorder.recordError("health", code: answer.errorCode ?? "http_\(answer.status)", latency: ContinuousClock.now - scheduled)
            }
        }
        return ScenarioOutcome(snapshot: recorder.snapshot(), run: outcome, primaryOperation: primaryOperation)
    }
}
