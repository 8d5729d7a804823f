import Synchronization

/// The life of one exchange request: a user creates it, an operator claims, starts and
/// completes it; optionally the owner watches it over WebSocket.
final class FlowDriver: Sendable {
    let api: APIClient
    /// Where each user's requests go (one instance: `api`).
    let router: InstanceRouter
    let users: [Session]
    let operators: [Session]
    /// Present when owners watch their requests.
    let observers: ObserverPool?
    /// Steps after creation (`claim`, `start`, `complete`); empty for create-only load.
    let steps: [String]
    /// Final `lastSeq` of each completed request, for loss checks.
    let finalSeqs = Mutex<[String: Int]>([:])
    /// Notes every committed transition (runs with a loss check).
    let ledger: CommitLedger?

    init(
        api: APIClient,
        users: [Session],
        operators: [Session],
        observers: ObserverPool?,
        steps: [String] = ["claim", "start", "complete"],
        router: InstanceRouter? = nil,
        ledger: CommitLedger? = nil
    ) {
        self.ledger = ledger
        self.api = api
        self.router = router ?? InstanceRouter(baseURLs: [""], apis: [api])
        self.users = users
        self.operators = operators
        self.observers = observers
        self.steps = operators.isEmpty ? [] : steps
    }

    func run(index: Int, scheduled: ContinuousClock.Instant, recorder: Recorder) async {
        let clock = ContinuousClock()
        let position = index % users.count
        let user = users[position]
        let api = router.api(user: position)
        guard let request = await Self.createRequest(api: api, user: user, index: index, scheduled: scheduled, recorder: recorder) else { return }
        ledger?.committed(requestID: request.id, seq: request.lastSeq ?? 1, status: request.status)
        if let observers {
            await observers.watch(request: request, owner: user, scheduled: scheduled, recorder: recorder)
        }
        guard !operators.isEmpty else { return }
        let actor = operators[index % operators.count]
        var lastSeq = request.lastSeq ?? 1
        for step in steps {
            let started = clock.now
            let answer = await api.post("/api/requests/\(request.id)/\(step)", token: actor.token)
            guard answer.isSuccess else {
                recorder.recordError(step, code: answer.errorCode ?? "bad_response", latency: clock.now - started)
                return
            }
            recorder.record(step, clock.now - started)
            let moved = answer.decode(ExchangeRequest.self)
            lastSeq = moved?.lastSeq ?? lastSeq + 1
            if let moved, let seq = moved.lastSeq { ledger?.committed(requestID: moved.id, seq: seq, status: moved.status) }
        }
        if steps.last == "complete" {
            recorder.record("e2e_completed", clock.now - scheduled)
            finalSeqs.withLock { $0[request.id] = lastSeq }
        }
    }

    /// Creates arrival `index`'s request as `user`, recorded as `create_request` from the
    /// scheduled time (an error with its code when it fails); `nil` when it failed.
    static func createRequest(
        api: APIClient,
        user: Session,
        index: Int,
        scheduled: ContinuousClock.Instant,
        recorder: Recorder
    ) async -> ExchangeRequest? {
        let created = await api.post("/api/requests", json: NewRequestBody.sample(index), token: user.token)
        guard created.isSuccess, let request = created.decode(ExchangeRequest.self) else {
            recorder.recordError("create_request", code: created.errorCode ?? "bad_response", latency: ContinuousClock.now - scheduled)
            return nil
        }
        recorder.record("create_request", ContinuousClock.now - scheduled)
        return request
    }
}
