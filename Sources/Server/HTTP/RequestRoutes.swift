import HTTPTypes
import Hummingbird
import WireJSON

/// `/api/requests…`: create, read, list, the lifecycle transitions, and sync. Parses and
/// answers; every command goes through ``RequestService``, every rule through the domain.
struct RequestRoutes: Sendable {
    let commands: RequestService
    let store: RequestStore
    let bodyLimit: Int

    /// Registers on the authenticated `/api` group.
    func register(on api: RouterGroup<ExchangeContext>) {
        api.post("requests") { request, context in try await create(request, context) }
        api.get("requests") { request, context in try await list(request, context) }
        api.get("requests/:id") { request, context in try await read(request, context) }
        api.get("requests/:id/sync") { request, context in try await sync(request, context) }
        for action in [RequestAction.claim, .release, .start, .complete, .fail, .cancel] {
            api.post("requests/:id/\(action.rawValue)") { request, context in
                try await transition(action, request, context)
            }
        }
    }

    func create(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let committed = try await commands.create(by: try context.authenticatedActor()) {
            try NewRequestFields.validate(try await JSONBody.read(request, limit: bodyLimit))
        }
        return Self.answer(committed, status: .created)
    }

    func read(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try context.authenticatedActor()
        guard let found = try await store.find(id: context.parameters.get("id") ?? ""), Access.canView(found.subject, actor) else {
            throw APIError.notFound
        }
        return .json(found.json)
    }

    func list(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try context.authenticatedActor()
        let query = try ListQuery.parse(request.uri.queryParameters)
        let page = try await store.list(userID: Access.listingOwner(actor), status: query.status, limit: query.limit, cursor: query.cursor)
        return .json(["items": .array(page.items.map(\.json)), "nextCursor": .optional(page.nextCursor)])
    }

    func sync(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try context.authenticatedActor()
        let id = context.parameters.get("id") ?? ""
        // Validated after the visibility check: 404 outranks 422.
        let afterSeq = request.uri.queryParameters.get("afterSeq").map(QueryRules.afterSeq) ?? 0
        guard let (found, missed) = try await store.sync(id: id, afterSeq: afterSeq ?? 0), Access.canView(found.subject, actor) else {
            throw APIError.notFound
        }
        guard afterSeq != nil else { throw APIError.validation([("afterSeq", QueryRules.afterSeqProblem)]) }
        return .json(["request": found.json, "missedEvents": .array(missed.map(\.json)), "lastSeq": .int(found.lastSeq)])
    }

    func transition(_ action: RequestAction, _ request: Request, _ context: ExchangeContext) async throws -> Response {
        let actor = try context.authenticatedActor()
        // The body is read first (400/413 are about the message itself); its `reason` is
        // judged by the service after the state checks.
        let reason = action == .fail ? try await JSONBody.read(request, limit: bodyLimit)["reason"] ?? .null : nil
        let committed = try await commands.perform(action, on: context.parameters.get("id") ?? "", by: actor, reason: reason)
        return Self.answer(committed, status: .ok)
    }

    /// The request as it is now; names the side effects that failed inline (sync mode), which
    /// are recorded and retried by the queue.
    static func answer(_ committed: RequestService.Committed, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        if !committed.failedSideEffects.isEmpty, let name = HTTPField.Name("X-Side-Effects-Failed") {
            headers[name] = committed.failedSideEffects.map(\.rawValue).joined(separator: ",")
        }
        return .json(committed.request.json, status: status, headers: headers)
    }
}
