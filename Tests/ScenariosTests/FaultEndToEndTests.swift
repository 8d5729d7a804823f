import Foundation
import Testing
import WireJSON

@testable import Scenarios

/// One fault end to end: a cell of `exchange-flow` against real `exchange-server` processes
/// (its own database, a separate worker process), `pg-terminate` of the cell's backends in the
/// middle of the measured phase, then the recovery and loss check.
///
/// Runs when both binaries exist, like ``MatrixEndToEndTests``; `LAB_E2E=1` makes a missing
/// binary a failure.
@Suite struct FaultEndToEndTests {
    @Test(.labBinaries)
    func pgTerminateMidRunRecoversAndLosesNothing() async throws {
        let (server, scenarios) = try MatrixEndToEndTests.requireBinaries()
        var spec = MatrixSpec(
            name: "e2e-faults",
            scenario: "exchange-flow",
            load: LoadSpec(rate: 4, duration: 6, warmup: 1, arrival: .constant),
            options: ScenarioOptions(["operators": .int(2), "observe": .bool(false), "otpRate": .int(1), "drainSeconds": .int(30)]),
            config: [
                "sideEffects": ["mode": .string("queued")],
                "rateLimit": ["otpPerAddressPerMinute": .int(10_000), "verifyPerAddressPerMinute": .int(10_000)],
            ],
            ports: try Fixtures.cellPorts(),
            provider: .init(latencyMs: 5)
        )
        spec.faults = [FaultSpec(kind: .pgTerminate, at: 2)]
        spec.workerProcesses = 1
        try spec.validate()
        let runner = MatrixRunner(
            spec: spec,
            serverBinary: server,
            providerExecutable: scenarios,
            directory: try Fixtures.temporaryDirectory(),
            progress: ProgressPrinter(status: LiveStatus(), isTerminal: false)
        )
        let runs = try await runner.run()
        let cell = try #require(runs.first?.report)
        if let failure = cell.failure {
            #expect(!MatrixEndToEndTests.required, "cell failed: \(failure)")
            return
        }
        let faults = try #require(cell.faults)
        let result = try #require(faults.results.first)
        #expect(result.event.error == nil, "fault: \(result.event.error ?? "")")
        #expect(result.event.target.hasSuffix("backends of \(cell.isolation?["database"] ?? "?")"))
        #expect(result.event.started >= 2)
        #expect(result.recoverySeconds != nil, "no operation succeeded after the fault: \(result)")
        let loss = try #require(faults.loss)
        #expect((loss.expected["email"] ?? 0) > 0 && (loss.expected["otp_sms"] ?? 0) > 0 && (loss.expected["sync_event"] ?? 0) > 0)
        #expect(loss.loss == 0, "missing: \(loss.missing) e.g. \(loss.examples)")
        #expect(cell.checks["no_loss"] == true)
        #expect(cell.config[path: "workers.count"] == .int(0))
    }
}
