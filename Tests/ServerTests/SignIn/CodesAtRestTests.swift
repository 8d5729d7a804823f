import Foundation
import PostgresClient
import ProviderSimulator
import RedisClient
import TestSupport
import Testing
import WireJSON

@testable import Server

/// After a sign-in SMS is delivered, no table, stream or trail holds its code readably.
@Suite(.serialized) struct CodesAtRestTests {
    @Test func sealedSMSOpensOnlyWithTheSameSecret() throws {
        let sealer = CodeSealer(secret: String(repeating: "a", count: 32))
        let jobs = SideEffectPlan.otp(phone: "+15550001111", code: "987654", key: .newCode(), sealer: sealer)
        let payload = try #require(jobs.first?.payload)
        #expect(!payload.serialized.contains("987654"))
        let opened = try SealedBody.reveal(payload, with: sealer)
        #expect(opened["body"]?.stringValue?.contains("987654") == true)
        #expect(opened[SealedBody.field] == nil)
        #expect(throws: SealedBody.Unreadable.self) {
            try SealedBody.reveal(payload, with: CodeSealer(secret: String(repeating: "b", count: 32)))
        }
    }

    @Test func codeHashesAreKeyed() {
        let a = Secrets.codeHash(phone: "+15550001111", code: "123456", secret: String(repeating: "a", count: 32))
        let b = Secrets.codeHash(phone: "+15550001111", code: "123456", secret: String(repeating: "b", count: 32))
        #expect(a != b)
        #expect(a != Secrets.sha256Hex("otp:+15550001111:123456"))
    }

    /// Queued mode end to end, on the queue suites' private database and Redis (no other
    /// test process's dispatcher can take the job).
    @Test func nothingReadableRemainsAfterDelivery() async throws {
        try await QueueTestEnvironment.prepared.value
        try await QueueTestEnvironment.exclusively {
            try await TestProvider.with { provider in
                try await TestExchange.with({
                    $0.db.primary.url = QueueTestEnvironment.databaseURL
                    $0.redis.url = QueueTestEnvironment.redisURL
                    $0.sideEffects.mode = .queued
                    $0.workers.count = 1
                    $0.provider.url = provider.url
                }) { exchange in
                    let primary = exchange.services.database.primary
                    try await primary.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
                    let phone = TestExchange.randomPhone()
                    #expect(try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"\#(phone)"}"#).status == 202)
                    let sms = try await provider.messages(MessageFilter(kind: .sms, to: phone))
                    let body = try #require(sms.first?.body)
                    let code = String(try #require(body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }))

                    let redis = exchange.services.redis
                    let keys = QueueKeys.standard
                    try await eventually(#"try await redis.xlen(keys.stream(.critical)) == 0"#) { try await redis.xlen(keys.stream(.critical)) == 0 }
                    let trail = try await redis.xrange(keys.completed(.critical))
                    #expect(!trail.isEmpty)
                    #expect(!trail.contains { "\($0)".contains(code) })

                    let rows = try await primary.query(
                        PostgresQuery(
                            "codes_at_rest_outbox",
                            """
                            SELECT payload::text AS payload FROM outbox WHERE kind = 'sms' AND idempotency_key = $1
                            """
                        ),
                        [try #require(sms.first?.idempotencyKey)]
                    )
                    #expect(rows.count == 1)
                    #expect(try rows.rows.allSatisfy { try !$0.decode("payload", as: String.self).contains(code) })
                    let stored = try await primary.query(
                        PostgresQuery("codes_at_rest_hash", "SELECT code_hash FROM otp_codes WHERE phone = $1"),
                        [phone]
                    )
                    let hash: String = try #require(stored.first).decode("code_hash")
                    #expect(hash != Secrets.sha256Hex("otp:\(phone):\(code)"))

                    let verify = try await exchange.call(.POST, "/api/auth/verify", body: #"{"phone":"\#(phone)","code":"\#(code)"}"#)
                    #expect(verify.status == 200)
                }
            }
        }
    }
}
