import Hummingbird
import Logging
import WireJSON

/// `POST /api/auth/otp` and `POST /api/auth/verify` (anyone), `POST /api/auth/logout` (bearer).
struct AuthRoutes: Sendable {
    let signIn: SignInService
    let bodyLimit: Int

    func register(on router: Router<ExchangeContext>) {
        router.post("/api/auth/otp") { request, context in try await requestCode(request, context) }
        router.post("/api/auth/verify") { request, context in try await verify(request, context) }
    }

    /// Registers the routes that need a session on the authenticated `/api` group.
    func register(on api: RouterGroup<ExchangeContext>) {
        api.post("auth/logout") { request, context in try await logout(request, context) }
    }

    func requestCode(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let body = try await JSONBody.read(request, limit: bodyLimit)
        var problems: [(String, String)] = []
        let phone = body.string("phone", problems: &problems)
        if let phone, !Phone.isValid(phone) { problems.append(("phone", "must be E.164, e.g. +15551234567")) }
        guard problems.isEmpty, let phone else { throw APIError.validation(problems) }

        let expiresIn = try await signIn.requestCode(phone: phone, from: context.clientAddress)
        context.logger.info("otp issued", metadata: ["phone": "\(Phone.redacted(phone))"])
        return .json(["expiresInSeconds": .int(expiresIn)], status: .accepted)
    }

    func verify(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let body = try await JSONBody.read(request, limit: bodyLimit)
        var problems: [(String, String)] = []
        let phone = body.string("phone", problems: &problems)
        let code = body.string("code", problems: &problems)
        if let phone, !Phone.isValid(phone) { problems.append(("phone", "must be E.164, e.g. +15551234567")) }
        if let code, code.count != 6 || !code.allSatisfy(\.isASCIIDigit) { problems.append(("code", "must be 6 digits")) }
        guard problems.isEmpty, let phone, let code else { throw APIError.validation(problems) }

        let (token, user) = try await signIn.verify(phone: phone, code: code, from: context.clientAddress)
        return .json(["token": .string(token), "user": ["id": .string(user.id), "role": .string(user.role.rawValue)]])
    }

    func logout(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        guard let token = Authenticator.headerToken(request) else { throw APIError.unauthorized }
        try await signIn.logout(token: token)
        return Response(status: .noContent)
    }
}
