import Foundation
import Testing

/// Bad input gets a clear error in the envelope and changes nothing; never a 500.
@Suite struct ValidationHTTPTests {
    static let cases: [(body: String, field: String)] = [
        (#"{"fiatCurrency":"JPY","fiatAmount":"10","cryptoCurrency":"BTC"}"#, "fiatCurrency"),
        (#"{"fiatCurrency":"USD","fiatAmount":"10","cryptoCurrency":"DOGE"}"#, "cryptoCurrency"),
        (#"{"fiatCurrency":"USD","fiatAmount":10,"cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"0","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"0.00","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"-5","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"1.234","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"1e3","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"1000000.01","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":"99999999999999999999999","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatCurrency":"USD","fiatAmount":" 10","cryptoCurrency":"BTC"}"#, "fiatAmount"),
        (#"{"fiatAmount":"10","cryptoCurrency":"BTC"}"#, "fiatCurrency"),
        (#"{"fiatCurrency":null,"fiatAmount":"10","cryptoCurrency":"BTC"}"#, "fiatCurrency"),
        (#"{"fiatCurrency":["USD"],"fiatAmount":"10","cryptoCurrency":"BTC"}"#, "fiatCurrency"),
        (#"[1,2,3]"#, "body"),
        (#""just a string""#, "body"),
    ]

    @Test func creationValidationTable() async throws {
        try await TestExchange.with({ $0.rateLimit.perUserPerMinute = 1000 }) { exchange in
            let user = try await exchange.signIn()
            for (body, field) in Self.cases {
                let reply = try await exchange.call(.POST, "/api/requests", body: body, token: user.token)
                #expect(reply.status == 422, "\(body): \(reply.text)")
                #expect(reply.errorCode == "validation_failed")
                #expect(reply.errorDetails[field] is String, "\(body) should name \(field): \(reply.text)")
            }
            let list = try await exchange.call(.GET, "/api/requests", token: user.token)
            #expect((list.json["items"] as? [Any])?.isEmpty == true, "nothing was created")
            for amount in ["1000000.00", "1000000", "0.01", "7.5", "007.50"] {
                let reply = try await exchange.call(
                    .POST,
                    "/api/requests",
                    body: #"{"fiatCurrency":"GBP","fiatAmount":"\#(amount)","cryptoCurrency":"USDC"}"#,
                    token: user.token
                )
                #expect(reply.status == 201, "\(amount): \(reply.text)")
            }
        }
    }

    @Test func malformedAndOversizedBodies() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let broken = try await exchange.call(.POST, "/api/requests", body: #"{"fiatCurrency":"#, token: user.token)
            #expect(broken.status == 400)
            #expect(broken.errorCode == "bad_request")
            let huge = "{\"pad\":\"" + String(repeating: "x", count: 70 * 1024) + "\"}"
            let tooLarge = try await exchange.call(.POST, "/api/requests", body: huge, token: user.token)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.errorCode == "payload_too_large")
            let unknown = try await exchange.call(.GET, "/api/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            let otpBad = try await exchange.call(.POST, "/api/auth/otp", body: #"{"phone":"555-1234"}"#)
            #expect(otpBad.status == 422)
            #expect(otpBad.errorDetails["phone"] is String)
            for reply in [broken, tooLarge, unknown, otpBad] {
                #expect(!reply.text.contains("SELECT"))
                #expect(!reply.text.lowercased().contains("postgres"))
            }
        }
    }

    @Test func statsWindowValidation() async throws {
        try await TestExchange.with { exchange in
            let op = try await exchange.signIn(operator: true)
            for query in [
                "from=yesterday", "to=2026-13-01T00:00:00Z", "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
                "from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z",
            ] {
                let reply = try await exchange.call(.GET, "/api/stats?\(query)", token: op.token)
                #expect(reply.status == 422, "\(query): \(reply.text)")
            }
        }
    }
}
