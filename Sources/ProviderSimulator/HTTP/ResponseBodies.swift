import Hummingbird

/// `POST /sms|email|webhook|events` → 200.
struct MessageReceiptBody: ResponseEncodable {
    let id: String
    let duplicate: Bool
}

/// `GET /messages` → 200.
struct MessageListBody: ResponseEncodable {
    let items: [ReceivedMessage]
}

/// `DELETE /messages` → 200.
struct ClearedBody: ResponseEncodable {
    let cleared: Int
}

/// `GET /health` → 200.
struct HealthBody: ResponseEncodable {
    let status: String
}

extension ProviderStats: ResponseEncodable {}
extension ProviderBehaviour: ResponseEncodable {}
