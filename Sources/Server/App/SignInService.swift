/// The sign-in use case: issue a one-time code (and send it, inline or through the outbox),
/// check a code and open a session. Routes parse and answer.
struct SignInService: Sendable {
    let users: UserStore
    let sideEffects: SideEffects
    let rateLimiter: RateLimiter
    let auth: ServerConfiguration.Auth
    let codesPerPhonePerMinute: Int

    /// Issues a code for `phone` (creating the user if new) and sends it by SMS. Returns how
    /// long the code lives. In sync mode a provider failure voids the code: the user would
    /// wait for an SMS that never comes.
    func requestCode(phone: String) async throws -> Int {
        if case .limited(let retry) = try await rateLimiter.check("otp:\(phone)", limit: codesPerPhonePerMinute) {
            throw CommandError.rateLimited(retryAfterSeconds: retry)
        }
        let code = Secrets.newCode()
        let jobs = SideEffectPlan.otp(phone: phone, code: code, key: .newCode())
        try await users.issueCode(phone: phone, codeHash: Secrets.codeHash(phone: phone, code: code),
                                  ttlSeconds: auth.otpTtlSeconds, outbox: sideEffects.outbox(jobs))
        let failed = await sideEffects.performNow(jobs, retryFailures: false)
        if !failed.isEmpty {
            try await users.voidCode(phone: phone)
            throw CommandError.unavailable("SMS provider failed; request a new code")
        }
        return auth.otpTtlSeconds
    }

    /// Checks `code` for `phone`; on a match opens a session and returns its token (shown
    /// once, stored only as a hash) and the user.
    func verify(phone: String, code: String) async throws -> (token: String, user: UserStore.User) {
        let token = Secrets.newToken()
        guard let user = try await users.verify(
            phone: phone, codeHash: Secrets.codeHash(phone: phone, code: code), tokenHash: Secrets.tokenHash(token),
            maxAttempts: auth.otpMaxAttempts, sessionHours: auth.sessionTtlHours
        ) else {
            throw CommandError.unauthorized("wrong or expired code")
        }
        return (token, user)
    }
}
