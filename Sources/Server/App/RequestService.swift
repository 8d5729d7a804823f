import WireJSON

/// The use case behind every command on an exchange request, creation included. One place owns
/// the sequence: decide by the lifecycle table → commit the row, its audit event and its
/// outbox rows in one transaction → metrics → publish the event → sync-mode side effects.
/// Routes parse and answer; ``RequestStore`` runs the SQL it is handed.
struct RequestService: Sendable {
    let store: RequestStore
    let sideEffects: SideEffects
    let publisher: EventPublisher
    /// Creations a user may make per minute (`rateLimit.perUserPerMinute`), counted in Redis
    /// before the transaction so a limited caller costs no PostgreSQL work.
    let creations: Quota
    let metrics: ServerMetrics

    /// A committed command: the request as it is now, its new event, and the side effects
    /// that failed inline (sync mode; recorded for retry).
    struct Committed: Sendable {
        var request: ExchangeRequest
        var event: RequestEvent
        var failedSideEffects: [SideEffectKind]
    }

    /// The fields of a new request, as validated by the caller.
    struct NewRequest: Sendable {
        var fiat: FiatCurrency
        var amount: String
        var crypto: CryptoCurrency
    }

    /// Creates a request for `actor`. Checks run in the contract's order: who (403), the rate
    /// limit (429, every attempt counts), then `input` (400/422, read only once admitted).
    func create(by actor: Actor, input: () async throws -> NewRequest) async throws -> Committed {
        let rule = try Self.decide(.create, by: actor, on: Lifecycle.newRequest(by: actor))
        try await creations.charge("create:\(actor.id)")
        let fields = try await input()
        let draft = ExchangeRequest(
            id: UUIDText.random(),
            userId: actor.id,
            status: rule.to,
            fiatCurrency: fields.fiat.rawValue,
            fiatAmount: fields.amount,
            cryptoCurrency: fields.crypto.rawValue,
            assignedOperator: nil,
            createdAt: .now,
            updatedAt: .now,
            assignedAt: nil,
            processingStartedAt: nil,
            completedAt: nil,
            lastSeq: 1
        )
        let jobs = SideEffectPlan.transition(draft, from: rule.from)
        let (request, event) = try await timed(.create) {
            try await store.transaction { [sideEffects] transaction in
                try transaction.insert(draft, rule: rule, by: actor, data: [:], outbox: sideEffects.outbox(jobs))
            }
        }
        return await afterCommit(request, event, jobs)
    }

    /// Performs `action` on request `id` for `actor`. `reason` is the body's `reason` field
    /// for `fail` (ignored otherwise), validated after the state checks so that 409 outranks 422.
    func perform(_ action: RequestAction, on id: String, by actor: Actor, reason: JSON? = nil) async throws -> Committed {
        guard UUIDText.isValid(id) else { throw CommandError.denied(.notFound) }
        let (request, event, jobs) = try await timed(action) {
            try await store.transaction { [sideEffects] transaction in
                guard let current = try transaction.lock(id: id) else { throw CommandError.denied(.notFound) }
                let rule = try Self.decide(action, by: actor, on: current.subject)
                let failReason = action == .fail ? try Self.validReason(reason) : nil
                let jobs = SideEffectPlan.transition(current.applying(rule, by: actor), from: rule.from)
                let data: JSON = failReason.map { ["reason": .string($0)] } ?? [:]
                let (request, event) = try transaction.apply(
                    rule,
                    to: id,
                    by: actor,
                    failReason: failReason,
                    data: data,
                    outbox: sideEffects.outbox(jobs)
                )
                return (request, event, jobs)
            }
        }
        return await afterCommit(request, event, jobs)
    }

    static func decide(_ action: RequestAction, by actor: Actor, on subject: Lifecycle.Subject) throws -> Lifecycle.Rule {
        switch Lifecycle.decide(action, by: actor, on: subject) {
        case .success(let rule): return rule
        case .failure(let denial): throw CommandError.denied(denial)
        }
    }

    static func validReason(_ value: JSON?) throws -> String {
        switch FailReason.validate(value) {
        case .success(let text): return text
        case .failure(let problem): throw CommandError.invalid([.init("reason", problem.reason)])
        }
    }

    /// Times the transaction as `exchange_transition_duration_seconds{transition, outcome}`.
    private func timed<T: Sendable>(_ action: RequestAction, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            metrics.transitionDuration(action, outcome: .ok).record(ContinuousClock.now - start)
            return result
        } catch {
            metrics.transitionDuration(action, outcome: TransitionOutcome(error)).record(ContinuousClock.now - start)
            throw error
        }
    }

    private func afterCommit(_ request: ExchangeRequest, _ event: RequestEvent, _ jobs: [SideEffectJob]) async -> Committed {
        metrics.transitions(from: event.fromStatus, to: event.toStatus).increment()
        await publisher.publish(event, request: request)
        let failed = await sideEffects.performNow(jobs)
        return Committed(request: request, event: event, failedSideEffects: failed)
    }
}
