import Foundation

/// A signed-in user or operator.
public struct Session: Sendable {
    public var phone: String
    public var token: String
    public var userId: String
    public var role: String
}

public struct SignInError: Error, CustomStringConvertible {
    public var description: String
}

/// Signs users in by OTP (docs/design.md §4): `POST /api/auth/otp`, read the SMS, `POST /api/auth/verify`.
public struct SignIn: Sendable {
    public let api: APIClient
    public let provider: ProviderClient

    public init(api: APIClient, provider: ProviderClient) {
        self.api = api
        self.provider = provider
    }

    /// Requests an OTP and reads it from the provider; asks once more if the first SMS doesn't
    /// arrive within `wait` (the per-phone limit allows 3 a minute).
    public func signIn(phone: String, wait: Duration = .seconds(20)) async throws -> Session {
        var code: String?
        for _ in 0..<2 where code == nil {
            let otp = await api.post("/api/auth/otp", json: OTPBody(phone: phone))
            guard otp.isSuccess else {
                throw SignInError(description: "POST /api/auth/otp answered \(otp.errorCode ?? "?") (status \(otp.status))")
            }
            code = await provider.awaitOTP(phone: phone, timeout: wait)
        }
        guard let code else {
            throw SignInError(description: "no OTP SMS arrived at the provider simulator within 2 × \(wait) for a test phone")
        }
        let verify = await api.post("/api/auth/verify", json: VerifyBody(phone: phone, code: code))
        guard verify.isSuccess, let answer = verify.decode(VerifyResponse.self) else {
            throw SignInError(description: "POST /api/auth/verify answered \(verify.errorCode ?? "?") (status \(verify.status))")
        }
        return Session(phone: phone, token: answer.token, userId: answer.user.id, role: answer.user.role)
    }

    /// Signs many phones in with bounded concurrency, in order.
    public func signIn(phones: [String], concurrency: Int = 16) async throws -> [Session] {
        try await withThrowingTaskGroup(of: (Int, Session).self) { group in
            var sessions = [Session?](repeating: nil, count: phones.count)
            var next = 0
            for _ in 0..<min(concurrency, phones.count) {
                let index = next
                group.addTask { (index, try await signIn(phone: phones[index])) }
                next += 1
            }
            while let (index, session) = try await group.next() {
                sessions[index] = session
                if next < phones.count {
                    let index = next
                    group.addTask { (index, try await signIn(phone: phones[index])) }
                    next += 1
                }
            }
            return sessions.compactMap { $0 }
        }
    }
}

/// Distinct E.164 phone numbers for one run: `+1 555 <5-digit run tag> <index>`.
public struct PhoneBook: Sendable {
    public let tag: Int

    public init(tag: Int = Int.random(in: 10_000...99_999)) {
        self.tag = tag
    }

    public func phone(_ role: String, _ index: Int) -> String {
        let roleDigit = role == "operator" ? 9 : 1
        return "+1555\(tag)\(roleDigit)\(String(format: "%05d", index % 100_000))"
    }
}
