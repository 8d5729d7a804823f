import Testing
import WireJSON

@testable import Server

@Suite struct QueueJobEnvelopeTests {
    @Test func roundTripsThroughStreamFields() throws {
        let job = JobEnvelope(
            jobId: "r1:2:email",
            kind: .email,
            payload: #"{"to":"u1","body":"hi"}"#,
            attempt: 2,
            enqueuedAtMs: 1_700_000_000_123,
            errors: ["attempt 1: provider answered 503"]
        )
        let fields = Dictionary(uniqueKeysWithValues: job.fields.map { ($0.field, $0.value) })
        #expect(fields["jobId"] == "r1:2:email")
        #expect(fields["attempt"] == "2")
        #expect(JobEnvelope(fields: fields) == job)
    }

    @Test func refusesMalformedEntries() {
        #expect(JobEnvelope(fields: [:]) == nil)
        #expect(JobEnvelope(fields: ["jobId": "k", "kind": "fax", "payload": "{}", "attempt": "1"]) == nil)
        #expect(JobEnvelope(fields: ["jobId": "k", "kind": "sms", "payload": "{}", "attempt": "zero"]) == nil)
        #expect(JobEnvelope(fields: ["jobId": "", "kind": "sms", "payload": "{}", "attempt": "1"]) == nil)
        #expect(JobEnvelope(fields: ["jobId": "k", "kind": "sms", "payload": "{}", "attempt": "1"])?.errors == [])
    }

    @Test func keepsABoundedErrorHistory() {
        var job = JobEnvelope(jobId: "k", kind: .sms, payload: "{}", attempt: 1, enqueuedAtMs: 0)
        for attempt in 1...15 { job = job.failed(with: String(repeating: "x", count: 900), nextAttempt: attempt + 1) }
        #expect(job.attempt == 16)
        #expect(job.errors.count == JobEnvelope.maxErrors)
        #expect(job.errors.last?.hasPrefix("attempt 15: ") == true)
        #expect(job.errors.allSatisfy { $0.count < 520 })
    }

    @Test func delayedMemberIsJSONOfStrings() throws {
        let job = JobEnvelope(jobId: "otp:1:sms", kind: .sms, payload: #"{"to":"+15550001111","body":"code \"1\""}"#, attempt: 3, enqueuedAtMs: 5)
        let member = try #require(JSON.parse(job.delayedMember))
        guard case .object(let fields) = member else {
            Issue.record("not an object")
            return
        }
        let map = Dictionary(uniqueKeysWithValues: fields)
        #expect(map["payload"] == .string(job.payload))
        #expect(map["attempt"] == .string("3"))
        #expect(map["errors"] == .string("[]"))
    }

    @Test func parsesPayloads() {
        #expect(JSON.parse(#"{"b":1,"a":"x","c":[true,null,1.5]}"#)?.serialized == #"{"a":"x","b":1,"c":[true,null,1.5]}"#)
        #expect(JSON.parse("not json") == nil)
    }

    @Test func recognisesDeadLetterIDs() {
        #expect(DeadLetters.isEntryID("1700000000000-0"))
        #expect(!DeadLetters.isEntryID("otp:abc:sms"))
        #expect(!DeadLetters.isEntryID("12-"))
    }
}
