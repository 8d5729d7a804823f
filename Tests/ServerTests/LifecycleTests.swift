@testable import Server
import Testing

/// The lifecycle table, without any I/O.
@Suite struct LifecycleTests {
    let owner = Actor(id: "u1", role: .user)
    let stranger = Actor(id: "u2", role: .user)
    let op = Actor(id: "o1", role: .operator)
    let otherOp = Actor(id: "o2", role: .operator)

    func subject(_ status: RequestStatus, assigned: String? = nil) -> Lifecycle.Subject {
        .init(status: status, ownerID: "u1", assignedOperator: assigned)
    }

    @Test func happyPath() throws {
        #expect(try Lifecycle.decide(.claim, by: op, on: subject(.pending)).get().to == .assigned)
        #expect(try Lifecycle.decide(.start, by: op, on: subject(.assigned, assigned: "o1")).get().to == .processing)
        #expect(try Lifecycle.decide(.complete, by: op, on: subject(.processing, assigned: "o1")).get().to == .completed)
        #expect(try Lifecycle.decide(.fail, by: op, on: subject(.processing, assigned: "o1")).get().to == .failed)
        #expect(try Lifecycle.decide(.release, by: op, on: subject(.assigned, assigned: "o1")).get().to == .pending)
        #expect(try Lifecycle.decide(.cancel, by: owner, on: subject(.pending)).get().to == .cancelled)
    }

    @Test func denials() {
        #expect(Lifecycle.decide(.claim, by: owner, on: subject(.pending)) == .failure(.forbidden))
        #expect(Lifecycle.decide(.cancel, by: stranger, on: subject(.pending)) == .failure(.forbidden))
        #expect(Lifecycle.decide(.cancel, by: op, on: subject(.pending)) == .failure(.forbidden))
        #expect(Lifecycle.decide(.start, by: otherOp, on: subject(.assigned, assigned: "o1")) == .failure(.forbidden))
        #expect(Lifecycle.decide(.start, by: op, on: subject(.pending)) == .failure(.invalidTransition(current: .pending)))
        #expect(Lifecycle.decide(.claim, by: op, on: subject(.assigned, assigned: "o1")) == .failure(.alreadyClaimed(current: .assigned)))
        #expect(Lifecycle.decide(.claim, by: otherOp, on: subject(.completed, assigned: "o1")) == .failure(.alreadyClaimed(current: .completed)))
        #expect(Lifecycle.decide(.claim, by: op, on: subject(.cancelled)) == .failure(.invalidTransition(current: .cancelled)))
        #expect(Lifecycle.decide(.cancel, by: owner, on: subject(.assigned, assigned: "o1")) == .failure(.invalidTransition(current: .assigned)))
    }

    @Test func everyActionHasExactlyOneParty() {
        for action in RequestAction.allCases {
            let parties = Set(Lifecycle.rules.filter { $0.action == action }.map { "\($0.party)" })
            #expect(parties.count == 1, "\(action)")
        }
    }

    @Test(arguments: [("100", "100.00"), ("0.5", "0.50"), ("007.10", "7.10"), ("1000000", "1000000.00"), ("1000000.00", "1000000.00")])
    func amountsNormalise(_ input: String, _ expected: String) throws {
        #expect(try FiatAmount.normalise(input).get() == expected)
    }

    @Test(arguments: ["", "0", "0.00", "-1", "1.", ".5", "1.234", "1e3", "1000000.01", "12345678", "１２", " 1", "1,5", "00000000000000000000001.5x"])
    func amountsRefused(_ input: String) {
        #expect((try? FiatAmount.normalise(input).get()) == nil)
    }
}
