import Foundation
import Testing

@testable import Server

/// Issue 12 item 6: `claim` on a request that had an operator is `already_claimed`, even after
/// a release and a cancel cleared `assignedOperator`.
@Suite struct ClaimHistoryHTTPTests {
    @Test func claimOnACancelledRequestThatHadAnOperator() async throws {
        try await TestExchange.with { exchange in
            let user = try await exchange.signIn()
            let op = try await exchange.signIn(operator: true)
            let other = try await exchange.signIn(operator: true)
            let id = try await exchange.createRequest(user)
            #expect(try await exchange.call(.POST, "/api/requests/\(id)/claim", token: op.token).status == 200)
            #expect(try await exchange.call(.POST, "/api/requests/\(id)/release", token: op.token).status == 200)
            #expect(try await exchange.call(.POST, "/api/requests/\(id)/cancel", token: user.token).status == 200)
            for claimer in [other, op] {
                let reply = try await exchange.call(.POST, "/api/requests/\(id)/claim", token: claimer.token)
                #expect(reply.status == 409)
                #expect(reply.errorCode == "already_claimed", "\(reply.text)")
                #expect(reply.errorDetails["currentStatus"] as? String == "cancelled")
            }
            // Never claimed, then cancelled: invalid_transition.
            let never = try await exchange.createRequest(user)
            #expect(try await exchange.call(.POST, "/api/requests/\(never)/cancel", token: user.token).status == 200)
            let reply = try await exchange.call(.POST, "/api/requests/\(never)/claim", token: op.token)
            #expect(reply.errorCode == "invalid_transition", "\(reply.text)")
        }
    }

    @Test func lifecycleKnowsAboutPastOperators() throws {
        let op = Actor(id: "o1", role: .operator)
        let released = Lifecycle.Subject(status: .cancelled, ownerID: "u1", assignedOperator: nil, everAssigned: true)
        #expect(Lifecycle.decide(.claim, by: op, on: released) == .failure(.alreadyClaimed(current: .cancelled)))
        let pending = Lifecycle.Subject(status: .pending, ownerID: "u1", assignedOperator: nil, everAssigned: true)
        #expect(try Lifecycle.decide(.claim, by: op, on: pending).get().to == .assigned, "a released request can be claimed again")
    }
}
