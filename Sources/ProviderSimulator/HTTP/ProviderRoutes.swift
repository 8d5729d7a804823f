import Foundation
import Hummingbird
import WireJSON

/// The simulator's HTTP surface:
///
/// | route | answer |
/// |---|---|
/// | `POST /sms`, `/email`, `/webhook`, `/events` | after the latency: 200 `{id, duplicate}`, or 503 at the error rate; 400 on a bad body |
/// | `GET /messages?kind=&to=&requestId=&idempotencyKey=&limit=` | 200 `{items: [...]}`, oldest first; `limit` keeps the latest |
/// | `DELETE /messages` | 200 `{cleared: N}`; forgets messages, keys and counters |
/// | `GET /stats` | 200 counters (see `ProviderStats`) |
/// | `GET /config`, `PUT /config` | 200 the behaviour; PUT takes a partial one, 422 on bad values |
/// | `GET /health` | 200 `{status: "ok"}` |
struct ProviderRoutes: Sendable {
    let provider: SimulatedProvider
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        for kind in MessageKind.allCases {
            router.post(RouterPath(kind.rawValue)) { request, _ in
                try await self.receive(kind, request)
            }
        }
        router.get("messages") { request, _ in try self.listMessages(request) }
        router.delete("messages") { _, _ in ClearedBody(cleared: self.provider.clear()) }
        router.get("stats") { _, _ in self.provider.stats }
        router.get("config") { _, _ in self.provider.behaviour }
        router.put("config") { request, _ in try await self.updateConfig(request) }
        router.get("health") { _, _ in HealthBody(status: "ok") }
    }

    private func receive(_ kind: MessageKind, _ request: Request) async throws -> MessageReceiptBody {
        let message: IncomingMessage
        do {
            message = try IncomingMessage(kind: kind, json: try await self.readObject(request))
        } catch let error as MessageValidationError {
            self.provider.recordInvalid()
            throw ProviderHTTPError.badRequest("invalid \(kind.rawValue) message", details: error.failures)
        } catch {
            self.provider.recordInvalid()
            throw error
        }
        switch try await self.provider.receive(message) {
        case .accepted(let receipt):
            return MessageReceiptBody(id: receipt.id, duplicate: receipt.duplicate)
        case .failed:
            throw ProviderHTTPError.unavailable
        }
    }

    private func listMessages(_ request: Request) throws -> MessageListBody {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            guard let value = query.get(name), !value.isEmpty else { return nil }
            return value
        }
        var filter = MessageFilter(to: value("to"), requestId: value("requestId"), idempotencyKey: value("idempotencyKey"))
        var failures: [String: String] = [:]
        if let kind = value("kind") {
            filter.kind = MessageKind(rawValue: kind)
            if filter.kind == nil {
                failures["kind"] = "must be one of \(MessageKind.allCases.map(\.rawValue).joined(separator: ", "))"
            }
        }
        if let limit = value("limit") {
            filter.limit = Int(limit).flatMap { $0 > 0 ? $0 : nil }
            if filter.limit == nil { failures["limit"] = "must be a positive integer" }
        }
        guard failures.isEmpty else { throw ProviderHTTPError.validationFailed(failures) }
        return MessageListBody(items: self.provider.messages(matching: filter))
    }

    private func updateConfig(_ request: Request) async throws -> ProviderBehaviour {
        let update = try await self.readObject(request)
        do {
            return try self.provider.updateBehaviour(update)
        } catch {
            throw ProviderHTTPError.validationFailed(error.failures)
        }
    }

    /// The body as a JSON object: 413 past `maxBodyBytes`, 400 when it is not JSON or not an object.
    private func readObject(_ request: Request) async throws -> [String: JSON] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: self.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ProviderHTTPError.payloadTooLarge(limit: self.maxBodyBytes)
        }
        let json: JSON
        do {
            json = try JSONDecoder().decode(JSON.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ProviderHTTPError.badRequest("body is not valid JSON")
        }
        guard let fields = json.objectValue else {
            throw ProviderHTTPError.badRequest("body must be a JSON object")
        }
        return fields
    }
}
