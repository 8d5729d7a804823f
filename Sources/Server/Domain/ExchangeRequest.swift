import Foundation

/// An exchange request as stored and as clients see it (DESIGN.md §4 "Request object").
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
    /// The event's payload as a JSON object text.
    public var data: String
    public var createdAt: Date
}
