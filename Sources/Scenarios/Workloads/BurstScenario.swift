/// Rate limiting under bursts: each arrival is a burst of B creations from one fresh user;
/// the first rejection's `Retry-After` is honoured and the retry must succeed.
///
/// Options: `burstSize` (20), `limitPerMinute` (10, the server's `rateLimit.perUserPerMinute`),
/// `maxRetryAfterSeconds` (65). Default load: a burst every 5 s.
public struct BurstScenario: Scenario {
    public let name = "burst"
    public let summary = "bursts of creations per user: 429 counts, Retry-After present and honoured, per-user limit enforced"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let burstSize = max(1, context.options.int("burstSize", default: 20))
        let limit = context.options.int("limitPerMinute", default: 10)
        let maxWait = context.options.double("maxRetryAfterSeconds", default: 65)
        let bursts = Int((context.load.rate * (context.load.warmup + context.load.duration)).rounded(.up)) + 2
        let users = try await context.signInUsers(context.options.int("users", default: bursts))
        let recorder = Recorder()
        let api = context.api
        let outcome = await context.measure(recorder: recorder, primary: primaryOperation) { index, scheduled, recorder in
            let clock = ContinuousClock()
            let user = users[index % users.count]
            let answers = await withTaskGroup(of: APIResult.self) { group in
                for item in 0..<burstSize {
                    group.addTask {
                        let answer = await api.post("/api/requests", json: NewRequestBody.sample(index * burstSize + item), token: user.token)
                        if answer.isSuccess {
                            recorder.record("create_request", clock.now - scheduled)
                        } else if answer.status == 429 {
                            recorder.record("create_rejected", clock.now - scheduled)
                        } else {
                            recorder.recordError("create_request", code: answer.errorCode ?? "bad_response", latency: clock.now - scheduled)
                        }
                        return answer
                    }
                }
                return await group.reduce(into: [APIResult]()) { $0.append($1) }
            }
            let accepted = answers.filter(\.isSuccess).count
            let rejected = answers.filter { $0.status == 429 }
            recorder.increment("bursts")
            recorder.increment("accepted", by: accepted)
            recorder.increment("rate_limited", by: rejected.count)
            if accepted > limit { recorder.increment("bursts_over_limit") }
            let retryAfters = rejected.map { $0.header("Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
            recorder.increment("retry_after_missing", by: retryAfters.filter { $0 == nil }.count)
            guard let wait = retryAfters.compactMap({ $0 }).max(), wait <= maxWait else { return }
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 50))
            let retried = await api.post("/api/requests", json: NewRequestBody.sample(index), token: user.token)
            recorder.increment(retried.isSuccess ? "retry_after_honoured_ok" : "retry_after_still_limited")
        }
        let snapshot = recorder.snapshot()
        let counter = { (name: String) in snapshot.counters[name] ?? 0 }
        return ScenarioOutcome(
            snapshot: snapshot,
            run: outcome,
            primaryOperation: primaryOperation,
            checks: [
                "limit_enforced": counter("bursts_over_limit") == 0,
                "retry_after_present": counter("retry_after_missing") == 0,
                "retry_after_honoured": counter("retry_after_still_limited") == 0,
            ],
            notes: ["bursts of \(burstSize) per fresh user, limit \(limit)/min; accepted \(counter("accepted")), 429 \(counter("rate_limited"))"]
        )
    }
}
