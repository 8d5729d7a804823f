import Foundation
import Testing
import WireJSON

@testable import Scenarios

@Suite struct FaultSpecTests {
    @Test func parsesKindStartAndDuration() throws {
        let restart = try FaultSpec(parsing: "redis-restart@10:5")
        #expect(restart == FaultSpec(kind: .redisRestart, at: 10, duration: 5))
        #expect(restart.end == 15)
        #expect(restart.description == "redis-restart@10:5")
        let fractional = try FaultSpec(parsing: "server-kill@2.5:0.5")
        #expect(fractional.at == 2.5 && fractional.duration == 0.5)
        #expect(try FaultSpec(parsing: "worker-kill@3").duration == FaultKind.workerKill.defaultDuration)
        let once = try FaultSpec(parsing: "pg-terminate@15")
        #expect(once.duration == 0 && once.description == "pg-terminate@15")
    }

    @Test func rejectsMalformedFaults() {
        for bad in [
            "bogus@1", "redis-restart", "redis-restart@", "redis-restart@x", "redis-restart@1:y", "redis-restart@1:2:3",
            "redis-restart@1:0", "redis-restart@-1:2", "pg-terminate@1:2",
        ] {
            #expect(throws: ScenarioError.self, "\(bad)") { try FaultSpec(parsing: bad) }
        }
    }

    @Test func decodesMatrixFaultObjects() throws {
        let json = #"[{"kind": "redis-restart", "at": 20, "duration": 5}, {"kind": "pg-terminate", "at": 30}]"#
        let faults = try JSONDecoder().decode([FaultSpec].self, from: Data(json.utf8))
        #expect(faults == [FaultSpec(kind: .redisRestart, at: 20, duration: 5), FaultSpec(kind: .pgTerminate, at: 30)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FaultSpec.self, from: Data(#"{"kind": "reboot", "at": 1}"#.utf8))
        }
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(FaultSpec.self, from: Data(#"{"kind": "replica-stop", "at": 1, "duration": 0}"#.utf8))
        }
    }

    @Test func faultsMustNotOverlapAndMustEndInsideTheMeasuredPhase() throws {
        let a = FaultSpec(kind: .redisRestart, at: 5, duration: 5)
        let b = FaultSpec(kind: .serverKill, at: 8, duration: 2)
        #expect(throws: ScenarioError.self) { try [a, b].validate(measuredSeconds: 30) }
        #expect(throws: ScenarioError.self) { try [a].validate(measuredSeconds: 10) }
        try [a, FaultSpec(kind: .pgTerminate, at: 10)].validate(measuredSeconds: 30)
    }

    @Test func matrixFileTakesFaultsAndAFaultsAxis() throws {
        let json = """
            {"scenario": "exchange-flow", "load": {"rate": 5, "duration": 30},
             "faults": [{"kind": "pg-terminate", "at": 25}],
             "axes": [{"path": "faults", "values": ["redis-restart@10:5", [{"kind": "server-kill", "at": 10, "duration": 3}]]}],
             "workerProcesses": 1, "own": {"replica": true}}
            """
        let spec = try JSONDecoder().decode(MatrixSpec.self, from: Data(json.utf8))
        try spec.validate()
        let cells = spec.cells()
        #expect(cells.count == 2)
        #expect(cells[0].faults == [FaultSpec(kind: .pgTerminate, at: 25), FaultSpec(kind: .redisRestart, at: 10, duration: 5)])
        #expect(cells[0].label == "fault=redis-restart@10:5")
        #expect(cells[1].label == "fault=server-kill@10:3")
        #expect(cells[0].config[path: "faults"] == nil)
        #expect(spec.owns(faults: cells[0].faults) == .init(redis: true, replica: true))
        #expect(spec.owns(faults: cells[1].faults) == .init(redis: false, replica: true))
        #expect(spec.separateWorkers(faults: []) == 1)
        var plain = spec
        plain.workerProcesses = 0
        #expect(plain.separateWorkers(faults: [FaultSpec(kind: .workerKill, at: 1)]) == 1)
        #expect(plain.separateWorkers(faults: [FaultSpec(kind: .serverKill, at: 1)]) == 0)
    }

    @Test func matrixRejectsFaultsOutsideTheMeasuredPhaseAndWithASearch() throws {
        let late = """
            {"scenario": "exchange-flow", "load": {"rate": 5, "duration": 10},
             "axes": [{"path": "faults", "values": ["redis-restart@8:5"]}]}
            """
        #expect(throws: ScenarioError.self) { try JSONDecoder().decode(MatrixSpec.self, from: Data(late.utf8)).validate() }
        let badAxis = """
            {"scenario": "exchange-flow", "axes": [{"path": "faults", "values": ["reboot@1"]}]}
            """
        #expect(throws: ScenarioError.self) { try JSONDecoder().decode(MatrixSpec.self, from: Data(badAxis.utf8)).validate() }
    }

    @Test func scheduleOrdersInjectionsAndHeals() {
        let steps = FaultSchedule.steps([
            FaultSpec(kind: .serverKill, at: 10, duration: 5),
            FaultSpec(kind: .pgTerminate, at: 2),
            FaultSpec(kind: .redisRestart, at: 15, duration: 1),
        ])
        #expect(
            steps == [
                .init(at: 2, action: .inject(1)),
                .init(at: 10, action: .inject(0)),
                .init(at: 15, action: .heal(0)),
                .init(at: 15, action: .inject(2)),
                .init(at: 16, action: .heal(2)),
            ]
        )
    }
}
