import Foundation
import Hummingbird

/// A known path asked with a method it doesn't serve is 405 `method_not_allowed` with an
/// `Allow` header (RFC 9110 §15.5.6), not 404. The router only knows "no route"; which paths
/// exist and with which methods is read once from the served OpenAPI document — the contract
/// the routes implement (a test checks that every documented operation is routed).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ExchangeContext

    let table: AllowedMethods

    func handle(_ request: Request, context: ExchangeContext, next: (Request, ExchangeContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let allowed = table.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            var refusal = APIError(status: 405, code: "method_not_allowed", message: "method not allowed")
            refusal.allow = allowed
            throw refusal
        }
    }
}

/// Path templates (`/api/requests/{id}/claim`) and their methods, from `paths:` of an
/// OpenAPI 3 YAML document laid out as ours is (two-space indentation).
struct AllowedMethods: Sendable {
    private var templates: [(segments: [String], methods: [String])] = []

    init(openAPI yaml: String) {
        var current: [String]?
        var methods: [String] = []
        var inPaths = false
        func flush() {
            if let current, !methods.isEmpty { templates.append((current, methods)) }
        }
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if let first = line.first, first != " ", first != "#" { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                flush()
                current = line.dropFirst(2).dropLast().split(separator: "/").map(String.init)
                methods = []
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let name = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(name) { methods.append(name) }
            }
        }
        flush()
    }

    /// The methods of the first template matching `path`, or `nil` for an unknown path.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/").map(String.init)
        return templates.first { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }
}
