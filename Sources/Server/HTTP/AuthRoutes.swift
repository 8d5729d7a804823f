import Hummingbird
import Logging

/// `POST /api/auth/otp` and `POST /api/auth/verify`.
struct AuthRoutes: Sendable {
    let services: ExchangeServices

    func register(on router: Router<ExchangeContext>) {
        router.post("/api/auth/otp") { request, context in try await requestCode(request, context) }
        router.post("/api/auth/verify") { request, context in try await verify(request, context) }
    }

    func requestCode(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let body = try await JSONBody.read(request, limit: services.configuration.http.maxBodyBytes)
        var problems: [(String, String)] = []
        let phone = body.string("phone", problems: &problems)
        if let phone, !Phone.isValid(phone) { problems.append(("phone", "must be E.164, e.g. +15551234567")) }
        guard problems.isEmpty, let phone else { throw APIError.validation(problems) }

        let limit = services.configuration.rateLimit.otpPerPhonePerMinute
        if case .limited(let retry) = try await services.rateLimiter.check("otp:\(phone)", limit: limit) {
            throw APIError.rateLimited(retryAfter: retry)
        }
        let code = Secrets.newCode()
        let jobs = SideEffectPlan.otp(phone: phone, code: code)
        let key = try await services.users.issueCode(
            phone: phone, codeHash: Secrets.codeHash(phone: phone, code: code),
            ttlSeconds: services.configuration.auth.otpTtlSeconds, outbox: services.sideEffects.outboxJobs(jobs)
        )
        let failed = await services.sideEffects.afterCommit(jobs, keyPrefix: key, requestID: nil, retryFailures: false)
        if !failed.isEmpty {
            // Sync mode: the user would wait for a code that never comes; void it and say so.
            try await services.users.voidCode(phone: phone)
            throw APIError(status: 503, code: "unavailable", message: "SMS provider failed; request a new code")
        }
        context.logger.info("otp issued", metadata: ["phone": "\(Phone.redacted(phone))"])
        return .json(.object([("expiresInSeconds", .int(services.configuration.auth.otpTtlSeconds))]), status: .accepted)
    }

    func verify(_ request: Request, _ context: ExchangeContext) async throws -> Response {
        let body = try await JSONBody.read(request, limit: services.configuration.http.maxBodyBytes)
        var problems: [(String, String)] = []
        let phone = body.string("phone", problems: &problems)
        let code = body.string("code", problems: &problems)
        if let phone, !Phone.isValid(phone) { problems.append(("phone", "must be E.164, e.g. +15551234567")) }
        if let code, code.count != 6 || !code.allSatisfy(\.isASCIIDigit) { problems.append(("code", "must be 6 digits")) }
        guard problems.isEmpty, let phone, let code else { throw APIError.validation(problems) }

        let token = Secrets.newToken()
        guard let user = try await services.users.verify(
            phone: phone, codeHash: Secrets.codeHash(phone: phone, code: code), tokenHash: Secrets.tokenHash(token),
            maxAttempts: services.configuration.auth.otpMaxAttempts, sessionHours: services.configuration.auth.sessionTtlHours
        ) else {
            throw APIError(status: 401, code: "unauthorized", message: "wrong or expired code")
        }
        return .json(.object([
            ("token", .string(token)),
            ("user", .object([("id", .string(user.id)), ("role", .string(user.role.rawValue))])),
        ]))
    }
}
