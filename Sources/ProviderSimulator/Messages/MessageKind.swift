/// The four side-effect endpoints the simulator stands in for.
public enum MessageKind: String, Sendable, Codable, CaseIterable, Hashable {
    case sms
    case email
    case webhook
    case events

    /// Whether a message of this kind must name its recipient (`to`) and carry a text `body`.
    var requiresRecipientAndBody: Bool {
        switch self {
        case .sms, .email: true
        case .webhook, .events: false
        }
    }
}

/// One counter per message kind; encodes as `{"sms": N, "email": N, "webhook": N, "events": N}`.
public struct KindCounts: Sendable, Equatable, Codable {
    public var sms = 0
    public var email = 0
    public var webhook = 0
    public var events = 0

    public init() {}

    public subscript(kind: MessageKind) -> Int {
        get {
            switch kind {
            case .sms: self.sms
            case .email: self.email
            case .webhook: self.webhook
            case .events: self.events
            }
        }
        set {
            switch kind {
            case .sms: self.sms = newValue
            case .email: self.email = newValue
            case .webhook: self.webhook = newValue
            case .events: self.events = newValue
            }
        }
    }

    public var total: Int { self.sms + self.email + self.webhook + self.events }
}
