/// Which side effects each event causes (docs/design.md §6). Pure: the same input gives the same
/// jobs, in sync and queued mode alike.
public enum SideEffectPlan {
    /// The sign-in code by SMS (critical queue).
    public static func otp(phone: String, code: String) -> [SideEffectJob] {
        [SideEffectJob(queue: .critical, kind: .sms, key: "sms",
                       payload: .object([("to", .string(phone)), ("body", .string("Your Exchange Lab code is \(code). It expires in 5 minutes."))]))]
    }

    /// After a request enters `status` (creation included: `pending` from `created`).
    public static func transition(_ request: ExchangeRequest, from: RequestStatus) -> [SideEffectJob] {
        let eventName = Lifecycle.eventName(request.status)
        var jobs = [
            SideEffectJob(queue: .analytics, kind: .events, key: "events",
                          payload: .object([
                              ("requestId", .string(request.id)), ("event", .string(eventName)),
                              ("fromStatus", .string(from.rawValue)), ("toStatus", .string(request.status.rawValue)),
                              ("fiatCurrency", .string(request.fiatCurrency)), ("fiatAmount", .string(request.fiatAmount)),
                              ("body", .string(eventName)),
                          ])),
        ]
        guard from != .created else { return jobs }
        jobs.append(SideEffectJob(queue: .standard, kind: .email, key: "email",
                                  payload: .object([
                                      ("to", .string(request.userId)), ("requestId", .string(request.id)),
                                      ("subject", .string("Your exchange request is \(request.status.rawValue)")),
                                      ("body", .string("Request \(request.id) moved from \(from.rawValue) to \(request.status.rawValue).")),
                                  ])))
        if request.status == .completed {
            jobs.append(SideEffectJob(queue: .standard, kind: .webhook, key: "webhook",
                                      payload: .object([
                                          ("requestId", .string(request.id)), ("event", .string(eventName)),
                                          ("fiatCurrency", .string(request.fiatCurrency)), ("fiatAmount", .string(request.fiatAmount)),
                                          ("cryptoCurrency", .string(request.cryptoCurrency)), ("body", .string(eventName)),
                                      ])))
        }
        return jobs
    }
}
