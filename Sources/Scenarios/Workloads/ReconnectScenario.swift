/// Owners' WebSocket connections drop and reconnect during the exchange flow; recovery through
/// `/sync?afterSeq=N` + resubscribe + drop-by-seq must lose no event (docs/design.md §5).
///
/// Options: `dropsPerSecond` (2), `downtimeMs` (300), `operators` (4), `users` (sized from the load).
public struct ReconnectScenario: Scenario {
    public let name = "reconnect"
    public let summary = "observers drop and reconnect their WebSocket during load; verifies no event lost (sync + resubscribe), recovery time"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let (users, operators) = try await context.signInCast()
        let dropsPerSecond = context.options.double("dropsPerSecond", default: 2)
        let downtime = Duration.milliseconds(Int64(context.options.double("downtimeMs", default: 300)))
        let recorder = Recorder()
        let tracker = EventTracker(recorder: recorder)
        let observers = ObserverPool(baseURL: context.baseURL, api: context.api, tracker: tracker, router: context.router)
        let driver = FlowDriver(api: context.api, users: users, operators: operators, observers: observers, router: context.router)
        let load = context.load
        let outcome = try await observers.withConnections(users: users) {
            async let flow = context.measure(recorder: recorder, primary: primaryOperation) { index, scheduled, recorder in
                await driver.run(index: index, scheduled: scheduled, recorder: recorder)
            }
            // Drops run on their own open-loop schedule, over the same window as the flow.
            let chaos = OpenLoopRunner(
                schedule: ArrivalSchedule(rate: dropsPerSecond, process: .poisson, seed: load.seed &+ 99),
                duration: .milliseconds(Int64((load.warmup + load.duration) * 1000))
            )
            async let drops = chaos.run { index, _ in
                await observers.dropAndRecover(users[(index * 7) % users.count], downtime: downtime, recorder: recorder)
            }
            let result = await flow
            _ = await drops
            try? await Task.sleep(for: .seconds(1))
            return result
        }
        let gaps = tracker.gaps(expected: driver.finalSeqs.withLock { $0 })
        let lost = gaps.values.reduce(0) { $0 + $1.count }
        recorder.increment("events_lost", by: lost)
        recorder.increment("ws_duplicate_deliveries", by: tracker.duplicateDeliveries)
        var notes = ["\(dropsPerSecond) drops/s, \(downtime) down each"]
        if lost > 0 { notes.append("\(lost) events lost across \(gaps.count) requests") }
        return ScenarioOutcome(
            snapshot: recorder.snapshot(),
            run: outcome,
            primaryOperation: primaryOperation,
            checks: ["no_event_lost": lost == 0],
            notes: notes
        )
    }
}
