import Hummingbird

/// `/api/requests…`: create, read, list, the lifecycle transitions, and sync.
struct RequestRoutes: Sendable {
    let services: ExchangeServices

    func register(on router: Router<ExchangeContext>) {
        router.post("/api/requests") { request, context in try await create(request, context) }
        router.get("/api/requests") { request, context in try await list(request, context) }
        router.get("/api/requests/:id") { request, context in try await read(request, context) }
        router.get("/api/requests/:id/sync") { request, context in try await sync(request, context) }
        for action in [RequestAction.claim, .release, .start, .complete, .fail, .cancel] {
            router.post("/api/requests/:id/\(action.rawValue)") { request, context in
                try await transition(action, request, context)
            }
        }
    }

    func create(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try await services.authenticator.actor(for: request)
        guard actor.role == .user else { throw APIError.forbidden }
        let limit = services.configuration.rateLimit.perUserPerMinute
        if case .limited(let retry) = try await services.rateLimiter.check("create:\(actor.id)", limit: limit) {
            throw APIError.rateLimited(retryAfter: retry)
        }
        let body = try await JSONBody.read(request, limit: services.configuration.http.maxBodyBytes)
        let fields = try NewRequestFields.validate(body)

        let start = ContinuousClock.now
        // The jobs are planned before the id exists; the insert fills `requestId` and keys
        // them `<id>:1:<kind>` in the same statement.
        let draft = ExchangeRequest(
            id: "", userId: actor.id, status: .pending, fiatCurrency: fields.fiat.rawValue, fiatAmount: fields.amount,
            cryptoCurrency: fields.crypto.rawValue, assignedOperator: nil, createdAt: .now, updatedAt: .now,
            assignedAt: nil, processingStartedAt: nil, completedAt: nil, lastSeq: 1
        )
        let created = try await services.requests.create(
            userID: actor.id, fiatCurrency: draft.fiatCurrency, fiatAmount: draft.fiatAmount, cryptoCurrency: draft.cryptoCurrency,
            eventData: "{}", jobs: services.sideEffects.outboxJobs(SideEffectPlan.transition(draft, from: .created))
        )
        services.metrics.transitionDuration(.create).record(ContinuousClock.now - start)
        services.metrics.transitions(from: .created, to: .pending).increment()
        let event = RequestEvent(
            requestId: created.id, seq: 1, event: Lifecycle.eventName(.pending), fromStatus: .created, toStatus: .pending,
            actorId: actor.id, actorRole: actor.role.rawValue, data: "{}", createdAt: created.createdAt
        )
        return await afterCommit(created, event, status: .created)
    }

    func read(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try await services.authenticator.actor(for: request)
        let id = context.parameters.get("id") ?? ""
        guard let found = try await services.requests.find(id: id), actor.role == .operator || found.userId == actor.id else {
            throw APIError.notFound
        }
        return .json(found.json)
    }

    func list(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try await services.authenticator.actor(for: request)
        let query = try ListQuery.parse(request.uri.queryParameters)
        let page = try await services.requests.list(
            userID: actor.role == .user ? actor.id : nil, status: query.status, limit: query.limit, cursor: query.cursor
        )
        return .json(.object([("items", .array(page.items.map(\.json))), ("nextCursor", .optional(page.nextCursor))]))
    }

    func sync(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try await services.authenticator.actor(for: request)
        let id = context.parameters.get("id") ?? ""
        // Validated after the visibility check: 404 outranks 422.
        let afterSeq = request.uri.queryParameters.get("afterSeq").map(QueryRules.afterSeq) ?? 0
        guard let (found, missed) = try await services.requests.sync(id: id, afterSeq: afterSeq ?? 0),
              actor.role == .operator || found.userId == actor.id
        else { throw APIError.notFound }
        guard afterSeq != nil else { throw APIError.validation([("afterSeq", QueryRules.afterSeqProblem)]) }
        return .json(.object([
            ("request", found.json), ("missedEvents", .array(missed.map(\.json))), ("lastSeq", .int(found.lastSeq)),
        ]))
    }

    func transition(_ action: RequestAction, _ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try await services.authenticator.actor(for: request)
        let id = context.parameters.get("id") ?? ""
        var reason: String?
        var reasonProblem: FieldProblem?
        if action == .fail {
            let body = try await JSONBody.read(request, limit: services.configuration.http.maxBodyBytes)
            switch FailReason.validate(body.fields["reason"]) {
            case .success(let text): reason = text
            case .failure(let problem): reasonProblem = problem
            }
        }
        let problem = reasonProblem
        let failReason = reason
        let sideEffects = services.sideEffects
        let start = ContinuousClock.now
        let outcome = try await services.requests.transition(
            id: id, action: action, actor: actor, failReason: failReason,
            validate: { problem.map { (field: "reason", problem: $0) } },
            eventData: { _ in failReason.map { JSON.object([("reason", .string($0))]).serialized } ?? "{}" },
            jobs: { updated, from in sideEffects.outboxJobs(SideEffectPlan.transition(updated, from: from)) }
        )
        switch outcome {
        case .notFound:
            throw APIError.notFound
        case .denied(let denial):
            throw APIError.denial(denial)
        case .invalid(let field, let problem):
            throw APIError.validation([(field, problem.reason)])
        case .done(let updated, let event):
            services.metrics.transitionDuration(action).record(ContinuousClock.now - start)
            services.metrics.transitions(from: event.fromStatus, to: event.toStatus).increment()
            return await afterCommit(updated, event, status: .ok)
        }
    }

    /// Publishes the event, runs sync-mode side effects, answers with the request.
    private func afterCommit(_ request: ExchangeRequest, _ event: RequestEvent, status: HTTPResponse.Status) async -> Response {
        await services.events.publish(event, request: request)
        let failed = await services.sideEffects.afterCommit(SideEffectPlan.transition(request, from: event.fromStatus), keyPrefix: "\(request.id):\(event.seq)", requestID: request.id)
        var headers = HTTPFields()
        if !failed.isEmpty {
            // The transition is committed; the failed calls are recorded and retried by the queue.
            headers[.init("X-Side-Effects-Failed")!] = failed.map(\.rawValue).joined(separator: ",")
        }
        return .json(request.json, status: status, headers: headers)
    }
}

/// The validated body of `POST /api/requests`.
struct NewRequestFields {
    var fiat: FiatCurrency
    var amount: String
    var crypto: CryptoCurrency

    static func validate(_ body: JSONBody) throws -> NewRequestFields {
        var problems: [(String, String)] = []
        let fiatText = body.string("fiatCurrency", problems: &problems)
        let amountText = body.string("fiatAmount", problems: &problems)
        let cryptoText = body.string("cryptoCurrency", problems: &problems)
        let fiat = fiatText.flatMap(FiatCurrency.init(rawValue:))
        if fiatText != nil, fiat == nil { problems.append(("fiatCurrency", "must be one of USD, EUR, GBP")) }
        let crypto = cryptoText.flatMap(CryptoCurrency.init(rawValue:))
        if cryptoText != nil, crypto == nil { problems.append(("cryptoCurrency", "must be one of BTC, ETH, USDT, USDC")) }
        var amount: String?
        if let amountText {
            switch FiatAmount.normalise(amountText) {
            case .success(let normalised): amount = normalised
            case .failure(let problem): problems.append(("fiatAmount", problem.reason))
            }
        }
        guard problems.isEmpty, let fiat, let amount, let crypto else { throw APIError.validation(problems) }
        return NewRequestFields(fiat: fiat, amount: amount, crypto: crypto)
    }
}

/// `?status=&limit=&cursor=` of the listing.
struct ListQuery {
    var status: RequestStatus?
    var limit = 50
    var cursor: String?

    static func parse(_ parameters: Parameters) throws -> ListQuery {
        var query = ListQuery()
        var problems: [(String, String)] = []
        if let status = parameters.get("status") {
            if let parsed = RequestStatus(rawValue: status), parsed != .created { query.status = parsed } else {
                problems.append(("status", "must be one of pending, assigned, processing, completed, failed, cancelled"))
            }
        }
        if let limit = parameters.get("limit") {
            if let parsed = Int(limit), (1...200).contains(parsed) { query.limit = parsed } else {
                problems.append(("limit", "must be an integer in 1...200"))
            }
        }
        if let cursor = parameters.get("cursor") {
            if ListCursor.decode(cursor) != nil { query.cursor = cursor } else { problems.append(("cursor", "is not a cursor from this API")) }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return query
    }
}
