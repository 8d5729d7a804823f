/// Where an exchange request is in its life. `created` exists only inside the creating
/// transaction; clients first see `pending`.
public enum RequestStatus: String, Sendable, Codable, CaseIterable {
    case created, pending, assigned, processing, completed, failed, cancelled
}

public enum Role: String, Sendable, Codable {
    case user, `operator`
}

/// Who acts on a request.
public struct Actor: Sendable, Equatable {
    public var id: String
    public var role: Role

    public init(id: String, role: Role) {
        self.id = id
        self.role = role
    }

    /// The system itself (workers, recovery jobs).
    public static let system = Actor(id: "00000000-0000-0000-0000-000000000000", role: .operator)
}
