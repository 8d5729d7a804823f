import Foundation
import WireJSON

/// An exchange request as stored and as clients see it (docs/design.md §4 "Request object").
public struct ExchangeRequest: Sendable, Equatable {
    public var id: String
    public var userId: String
    public var status: RequestStatus
    public var fiatCurrency: String
    /// Decimal string with two fractional digits (`"1250.50"`).
    public var fiatAmount: String
    public var cryptoCurrency: String
    public var assignedOperator: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var assignedAt: Date?
    public var processingStartedAt: Date?
    public var completedAt: Date?
    public var lastSeq: Int
    /// An operator held it at some point (not part of the wire format; see `Lifecycle.Subject`).
    public var everAssigned = false

    var subject: Lifecycle.Subject {
        Lifecycle.Subject(status: status, ownerID: userId, assignedOperator: assignedOperator, everAssigned: everAssigned)
    }

    /// The request as it will be once `rule` is applied by `actor`: what the side-effect plan
    /// is built from, inside the transaction, before the row is written.
    func applying(_ rule: Lifecycle.Rule, by actor: Actor) -> ExchangeRequest {
        var next = self
        next.status = rule.to
        next.lastSeq += 1
        if rule.to == .assigned {
            next.assignedOperator = actor.id
            next.everAssigned = true
        }
        if rule.to == .pending { next.assignedOperator = nil }
        return next
    }
}

/// One row of the audit log (`request_events`).
public struct RequestEvent: Sendable, Equatable {
    public var requestId: String
    public var seq: Int
    public var event: String
    public var fromStatus: RequestStatus
    public var toStatus: RequestStatus
    public var actorId: String
    public var actorRole: String
    /// The event's payload, a JSON object (`{"reason": …}` for `fail`, else empty).
    public var data: JSON
    public var createdAt: Date
}
