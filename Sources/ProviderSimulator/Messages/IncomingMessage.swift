import WireJSON

/// A message body that failed validation: field name → reason. Answered with 400.
public struct MessageValidationError: Error, Equatable, Sendable {
    public var failures: [String: String]

    public init(failures: [String: String]) {
        self.failures = failures
    }
}

/// A validated message as a client posted it, before the simulator decides its fate.
public struct IncomingMessage: Sendable, Equatable {
    public var kind: MessageKind
    public var to: String?
    public var subject: String?
    public var body: String?
    public var idempotencyKey: String
    public var requestId: String?
    /// Every other field of the posted object; `nil` when there were none.
    public var data: [String: JSON]?

    public init(
        kind: MessageKind,
        to: String? = nil,
        subject: String? = nil,
        body: String? = nil,
        idempotencyKey: String,
        requestId: String? = nil,
        data: [String: JSON]? = nil
    ) {
        self.kind = kind
        self.to = to
        self.subject = subject
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.requestId = requestId
        self.data = data
    }

    /// Reads a posted JSON object. `sms` and `email` need `to` and a string `body`; every kind needs a
    /// non-empty string `idempotencyKey`. `to` and `requestId` may be strings or integers. For
    /// `webhook` and `events`, a `body` that is not a string is kept in `data` like any other field.
    public init(kind: MessageKind, json: [String: JSON]) throws(MessageValidationError) {
        var fields = json
        var failures: [String: String] = [:]

        /// Removes a known field; `null` and `""` count as absent.
        func take(_ name: String) -> JSON? {
            guard let value = fields.removeValue(forKey: name), value != .null, value != .string("") else { return nil }
            return value
        }

        var key = ""
        if case .string(let value) = take("idempotencyKey") {
            key = value
        } else {
            failures["idempotencyKey"] = "required, a non-empty string"
        }

        let to = take("to")
        let recipient = to?.identifierValue
        if to != nil, recipient == nil {
            failures["to"] = "must be a string or an integer"
        } else if recipient == nil, kind.requiresRecipientAndBody {
            failures["to"] = "required"
        }

        var body: String?
        switch fields["body"] {
        case .string(let value)?:
            body = value
            fields["body"] = nil
        case nil, .null?:
            fields["body"] = nil
            if kind.requiresRecipientAndBody { failures["body"] = "required" }
        case _? where kind.requiresRecipientAndBody:
            failures["body"] = "must be a string"
        case _?:
            break  // a structured webhook/event body stays in `data`
        }

        var subject: String?
        switch take("subject") {
        case .string(let value)?: subject = value
        case nil: break
        case _?: failures["subject"] = "must be a string"
        }

        let requestIdValue = take("requestId")
        let requestId = requestIdValue?.identifierValue
        if requestIdValue != nil, requestId == nil {
            failures["requestId"] = "must be a string or an integer"
        }

        guard failures.isEmpty else { throw MessageValidationError(failures: failures) }
        self.init(
            kind: kind,
            to: recipient,
            subject: subject,
            body: body,
            idempotencyKey: key,
            requestId: requestId,
            data: fields.isEmpty ? nil : fields
        )
    }
}
