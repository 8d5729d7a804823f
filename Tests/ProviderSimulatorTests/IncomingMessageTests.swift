import ProviderSimulator
import Testing
import WireJSON

@Suite("Message bodies (pure)")
struct IncomingMessageTests {
    @Test func smsNeedsRecipientBodyAndKey() {
        #expect(throws: MessageValidationError(failures: ["idempotencyKey": "required, a non-empty string", "to": "required", "body": "required"])) {
            try IncomingMessage(kind: .sms, json: [:])
        }
        #expect(throws: MessageValidationError(failures: ["idempotencyKey": "required, a non-empty string"])) {
            try IncomingMessage(kind: .email, json: ["to": .string("u"), "body": .string("b"), "idempotencyKey": .string("")])
        }
        #expect(throws: MessageValidationError(failures: ["to": "required"])) {
            try IncomingMessage(kind: .sms, json: ["to": .string(""), "body": .string("b"), "idempotencyKey": .string("k")])
        }
        #expect(throws: MessageValidationError(failures: ["body": "must be a string"])) {
            try IncomingMessage(kind: .sms, json: ["to": .string("+1"), "body": .int(1), "idempotencyKey": .string("k")])
        }
    }

    @Test func eventsKeepExtraFieldsAsData() throws {
        let message = try IncomingMessage(
            kind: .events,
            json: [
                "idempotencyKey": .string("job-9"),
                "requestId": .int(42),
                "event": .string("status:assigned"),
                "body": ["seq": .int(2)],
            ]
        )
        #expect(message.to == nil)
        #expect(message.body == nil)
        #expect(message.requestId == "42")
        #expect(message.data == ["event": .string("status:assigned"), "body": ["seq": .int(2)]])
    }

    @Test func knownFieldsAreNotCopiedIntoData() throws {
        let message = try IncomingMessage(
            kind: .email,
            json: [
                "to": .int(17), "subject": .string("Hi"), "body": .string("b"), "idempotencyKey": .string("k"), "requestId": .null,
            ]
        )
        #expect(message == IncomingMessage(kind: .email, to: "17", subject: "Hi", body: "b", idempotencyKey: "k"))
    }
}
