/// The sign-in use case: issue a one-time code (and send it, inline or through the outbox),
/// check a code and open a session, end a session. Routes parse and answer.
///
/// Limits, all counted in Redis except the wrong-code count (PostgreSQL, in the verify
/// transaction), and none of them failing open — with Redis down, sign-in answers 503:
/// - codes per phone (`rateLimit.otpPerPhonePerMinute`) and per client address
///   (`rateLimit.otpPerAddressPerMinute`), and SMS across all phones (`rateLimit.smsPerMinute`);
/// - verifies per client address (`rateLimit.verifyPerAddressPerMinute`);
/// - wrong codes per phone across re-issued codes (`auth.maxWrongCodesPerHour`), after which
///   verify answers 429 until the hour ends, even for the right code.
struct SignInService: Sendable {
    let users: UserStore
    let authenticator: Authenticator
    let sideEffects: SideEffects
    let rateLimiter: RateLimiter
    /// Seals the code into the SMS job's body: the outbox and the queue never hold it in clear.
    let sealer: CodeSealer
    let auth: ServerConfiguration.Auth
    let limits: ServerConfiguration.RateLimit

    /// Issues a code for `phone` (creating the user if new) and sends it by SMS. Returns how
    /// long the code lives. In sync mode a provider failure voids the code: the user would
    /// wait for an SMS that never comes.
    func requestCode(phone: String, from address: String) async throws -> Int {
        try await charge("otp-address:\(address)", limits.otpPerAddressPerMinute)
        try await charge("otp:\(phone)", limits.otpPerPhonePerMinute)
        try await charge("sms-all", limits.smsPerMinute)
        let code = Secrets.newCode()
        let jobs = SideEffectPlan.otp(phone: phone, code: code, key: .newCode(), sealer: sealer)
        try await users.issueCode(
            phone: phone,
            codeHash: Secrets.codeHash(phone: phone, code: code, secret: auth.secret),
            ttlSeconds: auth.otpTtlSeconds,
            outbox: sideEffects.outbox(jobs)
        )
        let failed = await sideEffects.performNow(jobs, retryFailures: false)
        if !failed.isEmpty {
            try await users.voidCode(phone: phone)
            throw CommandError.unavailable("SMS provider failed; request a new code")
        }
        return auth.otpTtlSeconds
    }

    /// Checks `code` for `phone`; on a match opens a session and returns its token (shown
    /// once, stored only as a hash) and the user.
    func verify(phone: String, code: String, from address: String) async throws -> (token: String, user: UserStore.User) {
        try await charge("verify-address:\(address)", limits.verifyPerAddressPerMinute)
        let token = Secrets.newToken()
        let check = try await users.verify(
            phone: phone,
            codeHash: Secrets.codeHash(phone: phone, code: code, secret: auth.secret),
            tokenHash: Secrets.tokenHash(token),
            maxAttempts: auth.otpMaxAttempts,
            maxWrongPerHour: auth.maxWrongCodesPerHour,
            sessionHours: auth.sessionTtlHours
        )
        switch check {
        case .accepted(let user): return (token, user)
        case .rejected: throw CommandError.unauthorized("wrong or expired code")
        case .locked(let retry): throw CommandError.rateLimited(retryAfterSeconds: retry)
        }
    }

    /// Ends the session of `token` at once (row and cache); its sockets close with 4001 at
    /// their next session check.
    func logout(token: String) async throws {
        try await authenticator.revoke(token: token)
    }

    /// Sign-in limits never fail open: with Redis down, sign-in answers 503.
    private func charge(_ key: String, _ limit: Int) async throws {
        try await rateLimiter.charge(key, limit: limit, failOpen: false)
    }
}
