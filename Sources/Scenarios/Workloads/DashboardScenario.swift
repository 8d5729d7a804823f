/// `GET /api/stats` at rate Q during the exchange write load: shows what primary vs replica
/// routing of analytics does to write latency.
///
/// Options: `statsRate` (5 per second), `operators` (4), `users` (sized from the load).
public struct DashboardScenario: Scenario {
    public let name = "dashboard"
    public let summary = "GET /api/stats at rate Q during the write load: primary vs replica routing and its effect on write latency"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let statsRate = context.options.double("statsRate", default: 5)
        let (users, operators) = try await context.signInCast()
        let recorder = Recorder()
        let driver = FlowDriver(api: context.api, users: users, operators: operators, observers: nil, router: context.router)
        let router = context.router
        async let writes = context.measure(recorder: recorder, primary: primaryOperation) { index, scheduled, recorder in
            await driver.run(index: index, scheduled: scheduled, recorder: recorder)
        }
        async let reads = context.measure(rate: statsRate, seedOffset: 7, recorder: recorder, primary: "stats") { index, scheduled, recorder in
            let reader = operators[index % operators.count]
            let answer = await router.api(arrival: index).get("/api/stats", token: reader.token)
            guard answer.isSuccess else {
                recorder.recordError("stats", code: answer.errorCode ?? "bad_response", latency: ContinuousClock.now - scheduled)
                return
            }
            recorder.record("stats", ContinuousClock.now - scheduled)
            recorder.increment("stats_source_\(answer.decode(StatsResponse.self)?.source ?? "unknown")")
        }
        let (writeOutcome, readOutcome) = await (writes, reads)
        var result = ScenarioOutcome(
            snapshot: recorder.snapshot(),
            run: writeOutcome,
            primaryOperation: primaryOperation,
            notes: ["stats at \(statsRate)/s by operators"]
        )
        result.health = writeOutcome.health().merged(with: readOutcome.health())
        return result
    }
}
