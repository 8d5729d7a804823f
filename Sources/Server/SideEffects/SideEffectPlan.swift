import WireJSON

/// Which side effects each event causes (docs/design.md §6). Pure: the same input gives the
/// same jobs, keys included, in sync and queued mode alike.
public enum SideEffectPlan {
    /// The sign-in code by SMS (critical queue). The text is sealed (``CodeSealer``): the job
    /// carries `sealedBody`, which the provider call turns back into `body` at send time.
    public static func otp(phone: String, code: String, key: JobKey, sealer: CodeSealer) -> [SideEffectJob] {
        let text = "Your Exchange Lab code is \(code). It expires in 5 minutes."
        return [
            SideEffectJob(
                queue: .critical,
                kind: .sms,
                key: key.job(.sms),
                requestID: nil,
                payload: ["to": .string(phone), SealedBody.field: .string(sealer.seal(text))]
            )
        ]
    }

    /// After `request` entered its status from `from` with event `request.lastSeq` (creation
    /// included: `pending` from `created`, seq 1).
    public static func transition(_ request: ExchangeRequest, from: RequestStatus) -> [SideEffectJob] {
        let key = JobKey.event(requestID: request.id, seq: request.lastSeq)
        let eventName = Lifecycle.eventName(request.status)
        func job(_ queue: QueueName, _ kind: SideEffectKind, _ payload: JSON) -> SideEffectJob {
            SideEffectJob(queue: queue, kind: kind, key: key.job(kind), requestID: request.id, payload: payload)
        }
        var jobs = [
            job(
                .analytics,
                .events,
                [
                    "requestId": .string(request.id), "event": .string(eventName),
                    "fromStatus": .string(from.rawValue), "toStatus": .string(request.status.rawValue),
                    "fiatCurrency": .string(request.fiatCurrency), "fiatAmount": .string(request.fiatAmount),
                    "body": .string(eventName),
                ]
            )
        ]
        guard from != .created else { return jobs }
        jobs.append(
            job(
                .standard,
                .email,
                [
                    "to": .string(request.userId), "requestId": .string(request.id),
                    "subject": .string("Your exchange request is \(request.status.rawValue)"),
                    "body": .string("Request \(request.id) moved from \(from.rawValue) to \(request.status.rawValue)."),
                ]
            )
        )
        if request.status == .completed {
            jobs.append(
                job(
                    .standard,
                    .webhook,
                    [
                        "requestId": .string(request.id), "event": .string(eventName),
                        "fiatCurrency": .string(request.fiatCurrency), "fiatAmount": .string(request.fiatAmount),
                        "cryptoCurrency": .string(request.cryptoCurrency), "body": .string(eventName),
                    ]
                )
            )
        }
        return jobs
    }
}
