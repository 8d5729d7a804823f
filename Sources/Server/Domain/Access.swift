/// Who may see what, outside the transitions themselves: reading a request, its sync feed and
/// its WebSocket room, listing, and the dashboard aggregate. Pure, like ``Lifecycle``.
public enum Access {
    /// Operators see every request; a user sees only their own.
    public static func canView(_ subject: Lifecycle.Subject, _ actor: Actor) -> Bool {
        actor.role == .operator || subject.ownerID == actor.id
    }

    /// The owner whose requests a listing is limited to: the user themself, or `nil` (all) for
    /// an operator.
    public static func listingOwner(_ actor: Actor) -> String? {
        actor.role == .operator ? nil : actor.id
    }

    /// `GET /api/stats` and the `operators` room are for operators.
    public static func isOperator(_ actor: Actor) -> Bool {
        actor.role == .operator
    }
}
