/// A WebSocket room: the events of one request, or the operators' feed of requests that are
/// (again) waiting in `pending`.
public enum Room: Hashable, Sendable, CustomStringConvertible {
    case request(String)
    case operators

    /// Parses `request:<id>` or `operators`; anything else is `nil`. An id that isn't a UUID
    /// still parses: like an absent request, subscribing to it is `forbidden`.
    public init?(_ text: String) {
        if text == "operators" {
            self = .operators
            return
        }
        let prefix = "request:"
        guard text.hasPrefix(prefix) else { return nil }
        let id = String(text.dropFirst(prefix.count))
        guard !id.isEmpty, id.utf8.count <= 64 else { return nil }
        self = .request(id.lowercased())
    }

    public var description: String {
        switch self {
        case .request(let id): "request:\(id)"
        case .operators: "operators"
        }
    }

    /// The rooms an event belongs to: its request's room, plus the operators' feed whenever
    /// the request (re)enters `pending` — creation and release.
    static func rooms(of event: RealtimeEvent) -> [Room] {
        event.status == RequestStatus.pending.rawValue ? [.request(event.requestId), .operators] : [.request(event.requestId)]
    }
}
