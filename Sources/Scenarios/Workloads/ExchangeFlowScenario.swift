/// Users create requests at rate R; operators claim, start and complete them; owners watch
/// each one over WebSocket.
///
/// Options: `operators` (4), `users` (sized from the load), `observe` (true); alongside, at
/// their own rates: `otpRate` (0: sign-in codes requested for fresh phones per second — SMS on
/// the critical queue) and `statsRate` (0: `GET /api/stats` by operators per second — the
/// replica when analytics are routed there).
public struct ExchangeFlowScenario: Scenario {
    public let name = "exchange-flow"
    public let summary = "users create at rate R; operators claim/start/complete; owners watch over WebSocket (latency, e2e, delivery lag)"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        try await runFlow(context, observe: context.options.bool("observe", default: true))
    }

    /// - Parameter beforeLoad: runs after sign-in, before warm-up; returns notes for the report.
    func runFlow(
        _ context: ScenarioContext,
        observe: Bool,
        beforeLoad: @Sendable () async -> [String] = { [] }
    ) async throws -> ScenarioOutcome {
        let (users, operators) = try await context.signInCast()
        let extraNotes = await beforeLoad()
        let recorder = Recorder()
        let tracker = EventTracker(recorder: recorder)
        let observers = observe ? ObserverPool(baseURL: context.baseURL, api: context.api, tracker: tracker, router: context.router) : nil
        context.ledger?.syncToken = operators.first?.token
        let driver = FlowDriver(
            api: context.api,
            users: users,
            operators: operators,
            observers: observers,
            router: context.router,
            ledger: context.ledger
        )
        let measureLoad: @Sendable () async -> OpenLoopRunner.Outcome = {
            async let sideLoads = SideLoads(context: context, operators: operators).run(recorder: recorder)
            let outcome = await context.measure(recorder: recorder, primary: "create_request") { index, scheduled, recorder in
                await driver.run(index: index, scheduled: scheduled, recorder: recorder)
            }
            await sideLoads
            if observe { try? await Task.sleep(for: .seconds(1)) }  // let the last events arrive
            return outcome
        }
        let outcome: OpenLoopRunner.Outcome
        if let observers {
            outcome = try await observers.withConnections(users: users, body: measureLoad)
        } else {
            outcome = await measureLoad()
        }
        var checks: [String: Bool] = [:]
        var notes = extraNotes
        if observe {
            let completed = driver.finalSeqs.withLock { $0 }
            let gaps = tracker.gaps(expected: completed)
            recorder.increment("ws_requests_with_missing_events", by: gaps.count)
            recorder.increment("ws_completions_observed", by: tracker.completionsObserved)
            recorder.increment("ws_duplicate_deliveries", by: tracker.duplicateDeliveries)
            checks["every_completion_delivered"] = gaps.isEmpty
            if !gaps.isEmpty { notes.append("\(gaps.count) completed requests missed WebSocket events") }
        }
        return ScenarioOutcome(
            snapshot: recorder.snapshot(),
            run: outcome,
            primaryOperation: primaryOperation,
            checks: checks,
            notes: notes
        )
    }
}
