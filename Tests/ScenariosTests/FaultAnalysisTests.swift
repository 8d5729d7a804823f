import Foundation
import Synchronization
import Testing

@testable import Scenarios

@Suite struct FaultAnalysisTests {
    /// A fault from 10 s to 15 s; create_request fails inside it and recovers 1.5 s after the end.
    @Test func recoveryErrorsAndP99AroundAFault() {
        let event = FaultEvent(spec: FaultSpec(kind: .serverKill, at: 10, duration: 5), started: 10, ended: 15, target: "server #1 pid 1")
        var outcomes: [OutcomePoint] = []
        for second in stride(from: 0.0, to: 30, by: 0.5) {
            let failing = second >= 10 && second < 16.5
            outcomes.append(
                OutcomePoint(at: second + 0.01, operation: "create_request", code: failing ? "transport_connect" : nil, millis: failing ? 100 : 10)
            )
            // claim keeps succeeding (another instance), except one 503 just after the end.
            outcomes.append(OutcomePoint(at: second + 0.02, operation: "claim", code: second == 15.5 ? "http_503" : nil, millis: 5))
            outcomes.append(OutcomePoint(at: second + 0.03, operation: "e2e_completed", millis: 5000))
        }
        let results = FaultAnalysis.analyse(events: [event], outcomes: outcomes)
        #expect(results.count == 1)
        let result = results[0]
        #expect(result.fault == "server-kill@10:5")
        // claim: first success sent after 15 s completes at 15.02; create_request at 16.51.
        #expect(abs((result.recoveryByOperation["claim"] ?? -1) - 0.02) < 1e-9)
        #expect(abs((result.recoveryByOperation["create_request"] ?? -1) - 1.51) < 1e-9)
        #expect(abs((result.recoverySeconds ?? -1) - 1.51) < 1e-9)
        #expect(abs(result.lastErrorAfterEndSeconds - 1.01) < 1e-9)
        // Window 10…20 s: create_request failed from 10.01 to 16.01 (13 outcomes), one 503.
        #expect(result.errors == ["transport_connect": 13, "http_503": 1])
        #expect(result.errorsByOperation["claim"] == ["http_503": 1])
        #expect(result.errorsByOperation["e2e_completed"] == nil)
        #expect((result.p99DuringMs ?? 0) >= 99)
        #expect((result.p99OutsideMs ?? 1000) < 11)
        #expect(result.windowStart == 10 && result.windowEnd == 20)
    }

    @Test func anOperationThatNeverSucceedsAgainIsNotRecovered() {
        let event = FaultEvent(spec: FaultSpec(kind: .redisRestart, at: 1, duration: 1), started: 1, ended: 2, target: "redis")
        let outcomes = [
            OutcomePoint(at: 0.5, operation: "request_otp", millis: 3),
            OutcomePoint(at: 2.5, operation: "request_otp", code: "http_503", millis: 3),
            OutcomePoint(at: 2.6, operation: "create_request", millis: 3),
        ]
        let result = FaultAnalysis.analyse(events: [event], outcomes: outcomes)[0]
        #expect(result.recoverySeconds == nil)
        #expect(result.recoveryByOperation["create_request"] != nil)
        #expect(result.recoveryByOperation["request_otp"] == nil)
    }

    @Test func errorsOfALaterFaultAreNotCountedAfterAnEarlierOne() {
        let first = FaultEvent(spec: FaultSpec(kind: .pgTerminate, at: 1), started: 1, ended: 1, target: "db")
        let second = FaultEvent(spec: FaultSpec(kind: .serverKill, at: 20, duration: 1), started: 20, ended: 21, target: "s")
        let outcomes = [
            OutcomePoint(at: 1.2, operation: "claim", code: "db_unavailable", millis: 2),
            OutcomePoint(at: 1.5, operation: "claim", millis: 2),
            OutcomePoint(at: 20.5, operation: "claim", code: "transport_connect", millis: 2),
            OutcomePoint(at: 22, operation: "claim", millis: 2),
        ]
        let results = FaultAnalysis.analyse(events: [first, second], outcomes: outcomes)
        #expect(abs(results[0].lastErrorAfterEndSeconds - 0.2) < 1e-9)
        #expect(results[0].errors == ["db_unavailable": 1])
        #expect(abs((results[1].recoverySeconds ?? -1) - 1) < 1e-9)
    }

    /// A target that only notes what it was asked to do.
    final class NotingTarget: FaultTarget {
        let calls = Mutex<[String]>([])

        func inject(_ kind: FaultKind) async throws -> String {
            calls.withLock { $0.append("inject \(kind.rawValue)") }
            if kind == .replicaStop { throw ScenarioError("no replica") }
            return "fake \(kind.rawValue)"
        }

        func heal(_ kind: FaultKind) async throws {
            calls.withLock { $0.append("heal \(kind.rawValue)") }
        }
    }

    @Test func runnerPlaysTheScheduleAndRecordsEvents() async {
        let target = NotingTarget()
        let runner = FaultRunner(
            faults: [
                FaultSpec(kind: .serverKill, at: 0.02, duration: 0.03),
                FaultSpec(kind: .replicaStop, at: 0.06, duration: 0.01),
                FaultSpec(kind: .pgTerminate, at: 0.08),
            ],
            target: target
        )
        await runner.run(from: .now)
        #expect(target.calls.withLock { $0 } == ["inject server-kill", "heal server-kill", "inject replica-stop", "inject pg-terminate"])
        let events = runner.events
        #expect(events.count == 3)
        #expect(events[0].target == "fake server-kill" && events[0].error == nil)
        #expect(events[0].started >= 0.02 && events[0].ended >= 0.05 && events[0].healed != nil)
        #expect(events[1].error?.contains("no replica") == true)
        #expect(events[2].ended == events[2].started)
    }

    @Test func runnerHealsWhatItBrokeWhenCancelled() async {
        let target = NotingTarget()
        let runner = FaultRunner(faults: [FaultSpec(kind: .workerKill, at: 0, duration: 3600)], target: target)
        let task = Task { await runner.run(from: .now) }
        while !target.calls.withLock({ $0.contains("inject worker-kill") }) { await Task.yield() }
        task.cancel()
        await task.value
        #expect(target.calls.withLock { $0 } == ["inject worker-kill", "heal worker-kill"])
    }
}
