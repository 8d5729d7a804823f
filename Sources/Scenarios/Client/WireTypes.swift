import Foundation

/// The request object of docs/design.md §4 (only the fields the lab reads).
public struct ExchangeRequest: Decodable, Sendable {
    public var id: String
    public var userId: String?
    public var status: String
    public var lastSeq: Int?
}

public struct NewRequestBody: Encodable, Sendable {
    public var fiatCurrency: String
    public var fiatAmount: String
    public var cryptoCurrency: String

    /// A plausible varied request for arrival `index`.
    public static func sample(_ index: Int) -> NewRequestBody {
        let fiats = ["USD", "EUR", "GBP"]
        let cryptos = ["BTC", "ETH", "USDT", "USDC"]
        let amount = 10 + (index * 37) % 5_000
        return NewRequestBody(
            fiatCurrency: fiats[index % fiats.count],
            fiatAmount: "\(amount).\(String(format: "%02d", index % 100))",
            cryptoCurrency: cryptos[index % cryptos.count]
        )
    }
}

public struct OTPBody: Encodable, Sendable {
    public var phone: String
}

public struct VerifyBody: Encodable, Sendable {
    public var phone: String
    public var code: String
}

public struct VerifyResponse: Decodable, Sendable {
    public struct User: Decodable, Sendable {
        public var id: String
        public var role: String
    }

    public var token: String
    public var user: User
}

/// One audit event (`missedEvents` of `/sync`).
public struct RequestEvent: Decodable, Sendable {
    public var seq: Int
    public var event: String
}

public struct SyncResponse: Decodable, Sendable {
    public var request: ExchangeRequest?
    public var missedEvents: [RequestEvent]
    public var lastSeq: Int
}

public struct StatsResponse: Decodable, Sendable {
    public var total: Int?
    public var source: String?
}

/// A server → client WebSocket message (docs/design.md §5).
public struct ServerMessage: Decodable, Sendable {
    public var type: String
    public var room: String?
    public var requestId: String?
    public var seq: Int?
    public var event: String?
    public var publishedAt: String?
    public var lastSeq: Int?
    public var code: String?
}

/// Parses ISO-8601 timestamps with or without fractional seconds.
public func parseTimestamp(_ text: String) -> Date? {
    if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
    return try? Date.ISO8601FormatStyle().parse(text)
}
