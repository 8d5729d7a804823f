/// Loads that run beside a scenario's primary loop at their own rates (options `otpRate`,
/// `statsRate`), so a run also exercises the critical SMS queue and the replica.
struct SideLoads: Sendable {
    let context: ScenarioContext
    let operators: [Session]

    /// Phones of OTP requests: past the users' indices, so no user's sign-in is rate-limited.
    static let otpPhoneOffset = 50_000

    func run(recorder: Recorder) async {
        let otpRate = context.options.double("otpRate", default: 0)
        let statsRate = context.options.double("statsRate", default: 0)
        async let otp: Void = otpRate > 0 ? requestCodes(rate: otpRate, recorder: recorder) : ()
        async let stats: Void = statsRate > 0 && !operators.isEmpty ? readStats(rate: statsRate, recorder: recorder) : ()
        _ = await (otp, stats)
    }

    /// `POST /api/auth/otp` for a fresh phone per arrival (`request_otp`); accepted ones go to the ledger.
    func requestCodes(rate: Double, recorder: Recorder) async {
        let router = context.router
        let phones = context.phones
        let ledger = context.ledger
        _ = await context.measure(rate: rate, seedOffset: 11, recorder: recorder, primary: "request_otp") { index, scheduled, recorder in
            let phone = phones.phone("user", Self.otpPhoneOffset + index % Self.otpPhoneOffset)
            let answer = await router.api(arrival: index).post("/api/auth/otp", json: OTPBody(phone: phone))
            guard answer.isSuccess else {
                recorder.recordError("request_otp", code: answer.errorCode ?? "bad_response", latency: ContinuousClock.now - scheduled)
                return
            }
            recorder.record("request_otp", ContinuousClock.now - scheduled)
            ledger?.otpAccepted(phone: phone)
        }
    }

    /// `GET /api/stats` by operators (`stats`), counting where they were answered from
    /// (`stats_source_replica`, `stats_source_primary`).
    func readStats(rate: Double, recorder: Recorder) async {
        let router = context.router
        let operators = self.operators
        _ = await context.measure(rate: rate, seedOffset: 13, recorder: recorder, primary: "stats") { index, scheduled, recorder in
            let answer = await router.api(arrival: index).get("/api/stats", token: operators[index % operators.count].token)
            guard answer.isSuccess else {
                recorder.recordError("stats", code: answer.errorCode ?? "bad_response", latency: ContinuousClock.now - scheduled)
                return
            }
            recorder.record("stats", ContinuousClock.now - scheduled)
            recorder.increment("stats_source_\(answer.decode(StatsResponse.self)?.source ?? "unknown")")
        }
    }
}
