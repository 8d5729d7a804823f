/// K operators race to claim each new pending request; exactly one may win.
///
/// Operations: `claim_race` (scheduled creation → every claim answered, one per arrival),
/// `claim_contended` (each claim), `claim_won`, `claim_lost`.
/// Options: `operators` (5), `users` (sized from the load).
public struct ClaimRaceScenario: Scenario {
    public let name = "claim-race"
    public let summary = "K operators race for each new pending request; counts winners (must be 1) and claim latency under contention"
    public let primaryOperation = "claim_race"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let (users, operators) = try await context.signInCast(operators: 5, minimumOperators: 2)
        let recorder = Recorder()
        let api = context.api
        let outcome = await context.measure(recorder: recorder, primary: primaryOperation) { index, scheduled, recorder in
            let clock = ContinuousClock()
            let user = users[index % users.count]
            guard let request = await FlowDriver.createRequest(api: api, user: user, index: index, scheduled: scheduled, recorder: recorder) else {
                return
            }
            let winners = await withTaskGroup(of: Bool.self) { group in
                for op in operators {
                    group.addTask {
                        let started = clock.now
                        let answer = await api.post("/api/requests/\(request.id)/claim", token: op.token)
                        let latency = clock.now - started
                        if answer.isSuccess {
                            recorder.record("claim_contended", latency)
                            recorder.record("claim_won", latency)
                            return true
                        }
                        if answer.status == 409, answer.errorCode == "already_claimed" {
                            recorder.record("claim_contended", latency)
                            recorder.record("claim_lost", latency)
                        } else {
                            recorder.recordError("claim_contended", code: answer.errorCode ?? "bad_response", latency: latency)
                        }
                        return false
                    }
                }
                var count = 0
                for await won in group where won { count += 1 }
                return count
            }
            recorder.record("claim_race", clock.now - scheduled)
            recorder.increment("races")
            switch winners {
            case 0: recorder.increment("races_without_winner")
            case 1: recorder.increment("races_with_one_winner")
            default: recorder.increment("races_with_several_winners")
            }
        }
        let snapshot = recorder.snapshot()
        let several = snapshot.counters["races_with_several_winners"] ?? 0
        let none = snapshot.counters["races_without_winner"] ?? 0
        var notes = ["\(operators.count) operators per race"]
        if several > 0 { notes.append("\(several) races had more than one winner — the claim rule is broken") }
        if none > 0 { notes.append("\(none) races had no winner (every claim failed)") }
        return ScenarioOutcome(
            snapshot: snapshot,
            run: outcome,
            primaryOperation: primaryOperation,
            checks: ["at_most_one_winner": several == 0, "exactly_one_winner": several == 0 && none == 0],
            notes: notes
        )
    }
}
