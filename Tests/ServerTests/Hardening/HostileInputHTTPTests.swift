import Foundation
import Testing
import WireJSON

@testable import Server

/// Issue 12 item 5 and the stats window: nothing a client sends is a 500.
@Suite struct HostileInputHTTPTests {
    static func cursor(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func afterSeqBeyondInt32IsRefused() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let id = try await exchange.createRequest(user)
            for value in ["2147483648", "99999999999999999999", "1e3", "+1", " 1"] {
                let reply = try await exchange.call(
                    .GET,
                    "/api/requests/\(id)/sync?afterSeq=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)",
                    token: user.token
                )
                #expect(reply.status == 422, "\(value): \(reply.text)")
                #expect(reply.errorDetails["afterSeq"] is String)
            }
            let top = try await exchange.call(.GET, "/api/requests/\(id)/sync?afterSeq=2147483647", token: user.token)
            #expect(top.status == 200)
            #expect((top.json["missedEvents"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func forgedCursorsAreRefused() async throws {
        try await TestExchange.with { exchange in
            let op = try await exchange.signIn(operator: true)
            let uuid = UUID().uuidString.lowercased()
            let forged = [
                "2026-13-45 99:99:99|\(uuid)", "2026-02-30 10:00:00+00|\(uuid)", "2026-11-28 24:00:00+00|\(uuid)",
                "2026-11-28 10:00:00+00junk|\(uuid)", "2026-11-28T10:00:00+00|\(uuid)", "0000-01-01 00:00:00+00|\(uuid)",
                "2026-11-28 10:00:00.1234567+00|\(uuid)", "2026-11-28 10:00:00+25|\(uuid)", "2026-11-28 10:00:00+00|not-a-uuid",
                "2026-11-28 10:00:00+00\u{0}|\(uuid)",
            ]
            for text in forged {
                let reply = try await exchange.call(.GET, "/api/requests?cursor=\(Self.cursor(text))", token: op.token)
                #expect(reply.status == 422, "\(text): \(reply.text)")
                #expect(reply.errorDetails["cursor"] is String)
            }
            for raw in ["%2B%2B%2B", "a", String(repeating: "A", count: 400)] {
                let reply = try await exchange.call(.GET, "/api/requests?cursor=\(raw)", token: op.token)
                #expect(reply.status == 422, "\(raw): \(reply.text)")
            }
            let valid = try await exchange.call(.GET, "/api/requests?cursor=\(Self.cursor("2026-11-28 10:00:00.123456+00|\(uuid)"))", token: op.token)
            #expect(valid.status == 200, "\(valid.text)")
        }
    }

    @Test func nulCharactersAreRefusedEverywhere() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let create = try await exchange.call(
                .POST,
                "/api/requests",
                body: #"{"fiatCurrency":"US\u0000D","fiatAmount":"10","cryptoCurrency":"BTC"}"#,
                token: user.token
            )
            #expect(create.status == 422, "\(create.text)")
            #expect(create.errorDetails["fiatCurrency"] is String)
            let nested = try await exchange.call(
                .POST,
                "/api/requests",
                body: #"{"fiatCurrency":"USD","fiatAmount":"10","cryptoCurrency":"BTC","x":{"y":["\u0000"]}}"#,
                token: user.token
            )
            #expect(nested.status == 422, "\(nested.text)")
            let otp = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"+15550000000\u0000"}"#)
            #expect(otp.status == 422, "\(otp.text)")

            let id = try await exchange.createRequest(user)
            try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
            try await exchange.call(.POST, "/api/requests/\(id)/start", token: op.token)
            let fail = try await exchange.call(.POST, "/api/requests/\(id)/fail", body: #"{"reason":"bad\u0000reason"}"#, token: op.token)
            #expect(fail.status == 422, "\(fail.text)")
            #expect(fail.errorDetails["reason"] is String)

            for query in ["status=%00", "limit=1%00", "cursor=%00", "x%00=1"] {
                let reply = try await exchange.call(.GET, "/api/requests?\(query)", token: op.token)
                #expect(reply.status == 422, "\(query): \(reply.text)")
            }
            let stats = try await exchange.call(.GET, "/api/stats?from=2026-11-28T00:00:00Z%00", token: op.token)
            #expect(stats.status == 422, "\(stats.text)")
        }
    }

    @Test func failReasonIsCountedInScalarsAndBytes() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            func processing() async throws -> String {
                let id = try await exchange.createRequest(user)
                try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token)
                try await exchange.call(.POST, "/api/requests/\(id)/start", token: op.token)
                return id
            }
            // 500 grapheme clusters but 1000 scalars: too long.
            let combining = String(repeating: "e\u{301}", count: 500)
            #expect(combining.count == 500)
            let id = try await processing()
            let long = try await exchange.call(
                .POST,
                "/api/requests/\(id)/fail",
                body: JSON.object([("reason", .string(combining))]).serialized,
                token: op.token
            )
            #expect(long.status == 422, "\(long.text)")
            // One cluster of 600 scalars: too long too.
            let zalgo = "a" + String(repeating: "\u{301}", count: 599)
            let cluster = try await exchange.call(
                .POST,
                "/api/requests/\(id)/fail",
                body: JSON.object([("reason", .string(zalgo))]).serialized,
                token: op.token
            )
            #expect(cluster.status == 422, "\(cluster.text)")
            // 500 four-byte scalars: 500 scalars, 2000 bytes — the largest accepted.
            let emoji = String(repeating: "😀", count: 500)
            let ok = try await exchange.call(
                .POST,
                "/api/requests/\(id)/fail",
                body: JSON.object([("reason", .string(emoji))]).serialized,
                token: op.token
            )
            #expect(ok.status == 200, "\(ok.text)")
        }
    }

    @Test func statsEchoesTheWindowToTheMillisecond() async throws {
        try await TestExchange.with { exchange in
            let op = try await exchange.signIn(operator: true)
            for (from, to) in [("2026-11-28T10:00:03.278Z", "2026-11-28T10:05:00.001Z"), ("2026-01-01T00:00:00.999Z", "2026-01-01T00:00:01.003Z")] {
                let reply = try await exchange.call(.GET, "/api/stats?from=\(from)&to=\(to)", token: op.token)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.json["from"] as? String == from)
                #expect(reply.json["to"] as? String == to)
            }
            let offset = try await exchange.call(.GET, "/api/stats?from=2026-11-28T12:00:03.278%2B02:00&to=2026-11-28T10:05:00Z", token: op.token)
            #expect(offset.json["from"] as? String == "2026-11-28T10:00:03.278Z")
            for bad in [
                "2026-02-30T00:00:00Z", "2026-11-28T00:00:00Zjunk", "2026-11-28 00:00:00Z", "2026-11-28T25:00:00Z",
                "2026-11-28T00:00:60Z", "2026-11-28T00:00:00", "2026-11-28T00:00:00.Z", "99999-01-01T00:00:00Z",
            ] {
                let reply = try await exchange.call(.GET, "/api/stats?from=\(bad.replacingOccurrences(of: " ", with: "%20"))", token: op.token)
                #expect(reply.status == 422, "\(bad): \(reply.text)")
            }
        }
    }
}

/// The timestamp parser and formatter, without I/O.
@Suite struct TimestampTextTests {
    @Test func roundTripsMilliseconds() {
        for ms: Int64 in [0, 1, 999, 1_764_324_003_278, 1_764_324_003_277, 253_402_300_799_999, -1, -86_400_001] {
            #expect(ISO8601.milliseconds(ISO8601.string(milliseconds: ms)) == ms, "\(ms)")
            #expect(ISO8601.milliseconds(ISO8601.date(milliseconds: ms)) == ms, "\(ms)")
        }
        #expect(ISO8601.string(milliseconds: 1_764_324_003_278) == "2025-11-28T10:00:03.278Z")
        #expect(ISO8601.milliseconds("2024-02-29T23:59:59.5+01:30") == ISO8601.milliseconds("2024-02-29T22:29:59.500Z"))
        #expect(ISO8601.milliseconds("2023-02-29T00:00:00Z") == nil)
    }

    @Test func postgresTextIsStrict() {
        let parse = { TimestampText.parse($0, dateTimeSeparators: [UInt8(ascii: " ")], style: .postgres) }
        #expect(parse("2026-11-28 01:02:03.123456+00") == ISO8601.milliseconds("2026-11-28T01:02:03.123Z"))
        #expect(parse("2026-11-28 01:02:03-05:30") != nil)
        #expect(parse("2026-11-28 01:02:03") == nil)
        #expect(parse("2026-11-28 01:02:03+00 ") == nil)
        #expect(parse("2026-1-28 01:02:03+00") == nil)
    }
}
