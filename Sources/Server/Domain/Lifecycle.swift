/// The request lifecycle: one table of (action, from, to, who) that every route obeys.
/// Pure logic — no I/O — so it is tested in microseconds and read in one screen.
public enum RequestAction: String, Sendable, CaseIterable {
    case create, claim, release, start, complete, fail, cancel
}

public enum Lifecycle {
    /// Who may perform a transition.
    public enum Party: Sendable, Equatable {
        /// The user who owns the request.
        case owner
        /// Any operator.
        case anyOperator
        /// The operator the request is assigned to.
        case assignedOperator
    }

    public struct Rule: Sendable, Equatable {
        public let action: RequestAction
        public let from: RequestStatus
        public let to: RequestStatus
        public let party: Party
    }

    /// The whole lifecycle.
    public static let rules: [Rule] = [
        Rule(action: .create, from: .created, to: .pending, party: .owner),
        Rule(action: .claim, from: .pending, to: .assigned, party: .anyOperator),
        Rule(action: .release, from: .assigned, to: .pending, party: .assignedOperator),
        Rule(action: .start, from: .assigned, to: .processing, party: .assignedOperator),
        Rule(action: .complete, from: .processing, to: .completed, party: .assignedOperator),
        Rule(action: .fail, from: .processing, to: .failed, party: .assignedOperator),
        Rule(action: .cancel, from: .pending, to: .cancelled, party: .owner),
    ]

    /// What the request looks like to the decision: its state and the people attached to it.
    public struct Subject: Sendable, Equatable {
        public var status: RequestStatus
        public var ownerID: String
        public var assignedOperator: String?
        /// Whether an operator ever held it, including one who released it since
        /// (`requests.ever_assigned`): a later claim is then `already_claimed`, never
        /// `invalid_transition`.
        public var everAssigned: Bool

        public init(status: RequestStatus, ownerID: String, assignedOperator: String?, everAssigned: Bool = false) {
            self.status = status
            self.ownerID = ownerID
            self.assignedOperator = assignedOperator
            self.everAssigned = everAssigned || assignedOperator != nil
        }
    }

    public enum Denial: Error, Sendable, Equatable {
        /// A user acting on someone else's request: answered as if it didn't exist, so ids can't
        /// be probed (404 outranks 403).
        case notFound
        /// The actor may not do this (wrong role, not the owner, not the assigned operator).
        case forbidden
        /// `claim` on a request that has (or had) an operator.
        case alreadyClaimed(current: RequestStatus)
        case invalidTransition(current: RequestStatus)
    }

    /// Decides `action` by `actor` on `subject`: the new status, or why not.
    /// Checks run in the contract's order: visibility (404), actor (403), state (409).
    /// Creation is decided like any transition, on a subject in `created` owned by the actor.
    public static func decide(_ action: RequestAction, by actor: Actor, on subject: Subject) -> Result<Rule, Denial> {
        guard Access.canView(subject, actor) else { return .failure(.notFound) }
        let candidates = rules.filter { $0.action == action }
        guard let party = candidates.first?.party else { return .failure(.forbidden) }
        switch party {
        case .owner:
            guard actor.role == .user, actor.id == subject.ownerID else { return .failure(.forbidden) }
        case .anyOperator:
            guard actor.role == .operator else { return .failure(.forbidden) }
        case .assignedOperator:
            guard actor.role == .operator else { return .failure(.forbidden) }
            if let assigned = subject.assignedOperator, assigned != actor.id { return .failure(.forbidden) }
        }
        if let rule = candidates.first(where: { $0.from == subject.status }),
            party != .assignedOperator || subject.assignedOperator == actor.id
        {
            return .success(rule)
        }
        if action == .claim, subject.everAssigned {
            return .failure(.alreadyClaimed(current: subject.status))
        }
        return .failure(.invalidTransition(current: subject.status))
    }

    /// The subject of a request about to be created by `actor`.
    public static func newRequest(by actor: Actor) -> Subject {
        Subject(status: .created, ownerID: actor.id, assignedOperator: nil)
    }

    /// Event name for entering `status` (`status:assigned`).
    public static func eventName(_ status: RequestStatus) -> String {
        "status:\(status.rawValue)"
    }
}
