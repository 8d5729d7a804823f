import Foundation

/// Talks to the provider simulator (docs/design.md §6): reads delivered messages, changes its behaviour.
public struct ProviderClient: Sendable {
    public let api: APIClient

    public init(api: APIClient) {
        self.api = api
    }

    public struct Message: Decodable, Sendable {
        public var kind: String?
        public var to: String?
        public var body: String?
        public var receivedAt: String?
    }

    struct Messages: Decodable {
        var items: [Message]
    }

    public struct Behaviour: Codable, Sendable {
        public var latencyMs: Double
        public var distribution: String
        public var errorRate: Double

        public init(latencyMs: Double, distribution: String = "fixed", errorRate: Double = 0) {
            self.latencyMs = latencyMs
            self.distribution = distribution
            self.errorRate = errorRate
        }
    }

    public func messages(kind: String, to: String) async -> [Message]? {
        let result = await api.get("/messages?kind=\(queryEncoded(kind))&to=\(queryEncoded(to))")
        return result.isSuccess ? result.decode(Messages.self)?.items : nil
    }

    /// Polls until the SMS to `phone` holds an OTP; returns the newest one.
    public func awaitOTP(phone: String, timeout: Duration = .seconds(15)) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var delay = Duration.milliseconds(20)
        while clock.now < deadline {
            if let items = await messages(kind: "sms", to: phone),
                let code = items.reversed().lazy.compactMap({ extractOTP($0.body ?? "") }).first
            {
                return code
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(250))
        }
        return nil
    }

    public func configure(_ behaviour: Behaviour) async -> Bool {
        await api.send(.PUT, "/config", json: behaviour).isSuccess
    }
}

/// The only 6-digit number in an SMS body.
public func extractOTP(_ body: String) -> String? {
    var runs: [String] = []
    var current = ""
    for character in body {
        if character.isASCII, character.isNumber {
            current.append(character)
        } else {
            if !current.isEmpty { runs.append(current) }
            current = ""
        }
    }
    if !current.isEmpty { runs.append(current) }
    return runs.last { $0.count == 6 }
}
