import Testing

@testable import Server

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
        #expect(Lifecycle.decide(.cancel, by: stranger, on: subject(.pending)) == .failure(.notFound))
        #expect(Lifecycle.decide(.cancel, by: op, on: subject(.pending)) == .failure(.forbidden))
        #expect(Lifecycle.decide(.start, by: otherOp, on: subject(.assigned, assigned: "o1")) == .failure(.forbidden))
        #expect(Lifecycle.decide(.start, by: op, on: subject(.pending)) == .failure(.invalidTransition(current: .pending)))
        #expect(Lifecycle.decide(.claim, by: op, on: subject(.assigned, assigned: "o1")) == .failure(.alreadyClaimed(current: .assigned)))
        #expect(Lifecycle.decide(.claim, by: otherOp, on: subject(.completed, assigned: "o1")) == .failure(.alreadyClaimed(current: .completed)))
        #expect(Lifecycle.decide(.claim, by: op, on: subject(.cancelled)) == .failure(.invalidTransition(current: .cancelled)))
        #expect(Lifecycle.decide(.cancel, by: owner, on: subject(.assigned, assigned: "o1")) == .failure(.invalidTransition(current: .assigned)))
    }

    /// Every (action, status, caller) combination, against the contract written out: the seven
    /// allowed moves, and for everything else the answer in the contract's order of checks
    /// (someone else's request 404, wrong party 403, claimed 409 `already_claimed`, else 409
    /// `invalid_transition`).
    @Test func everyCombination() {
        enum Caller: CaseIterable { case owner, stranger, assignedOperator, otherOperator }
        let allowed: Set<String> = [
            "create created owner", "claim pending assignedOperator", "claim pending otherOperator",
            "release assigned assignedOperator", "start assigned assignedOperator", "complete processing assignedOperator",
            "fail processing assignedOperator", "cancel pending owner",
        ]
        let target: [RequestAction: RequestStatus] = [
            .create: .pending, .claim: .assigned, .release: .pending, .start: .processing, .complete: .completed, .fail: .failed, .cancel: .cancelled,
        ]
        let withOperator: Set<RequestStatus> = [.assigned, .processing, .completed, .failed]
        var checked = 0
        for action in RequestAction.allCases {
            for status in RequestStatus.allCases {
                let assigned = withOperator.contains(status) ? "o1" : nil
                for caller in Caller.allCases {
                    let actor =
                        switch caller {
                        case .owner: owner
                        case .stranger: stranger
                        case .assignedOperator: op
                        case .otherOperator: otherOp
                        }
                    let result = Lifecycle.decide(action, by: actor, on: subject(status, assigned: assigned))
                    let expected: Result<RequestStatus, Lifecycle.Denial>
                    let ownerAction = action == .create || action == .cancel
                    if allowed.contains("\(action) \(status) \(caller)") {
                        expected = .success(target[action] ?? .created)
                    } else if caller == .stranger {
                        expected = .failure(.notFound)
                    } else if ownerAction != (caller == .owner) {
                        expected = .failure(.forbidden)
                    } else if action != .claim, !ownerAction, caller == .otherOperator, assigned != nil {
                        expected = .failure(.forbidden)
                    } else if action == .claim, assigned != nil {
                        expected = .failure(.alreadyClaimed(current: status))
                    } else {
                        expected = .failure(.invalidTransition(current: status))
                    }
                    #expect(result.map(\.to) == expected, "\(action) on \(status) by \(caller)")
                    if case .success(let rule) = result { #expect(rule.from == status) }
                    checked += 1
                }
            }
        }
        #expect(checked == RequestAction.allCases.count * RequestStatus.allCases.count * Caller.allCases.count)
    }

    @Test func creationIsDecidedByTheTable() throws {
        #expect(try Lifecycle.decide(.create, by: owner, on: Lifecycle.newRequest(by: owner)).get() == Lifecycle.rules[0])
        #expect(Lifecycle.decide(.create, by: op, on: Lifecycle.newRequest(by: op)) == .failure(.forbidden))
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
