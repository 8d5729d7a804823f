import Foundation
import Testing
import WireJSON

@testable import Scenarios

/// Cells with more than one server instance, a latency relay in front of PostgreSQL, and
/// PgBouncer, against real `exchange-server` processes (see `MatrixEndToEndTests` for when they run).
@Suite(.serialized) struct TopologyEndToEndTests {
    static func runner(_ spec: MatrixSpec) throws -> MatrixRunner {
        let (server, scenarios) = try MatrixEndToEndTests.requireBinaries()
        return MatrixRunner(
            spec: spec,
            serverBinary: server,
            providerExecutable: scenarios,
            directory: try Fixtures.temporaryDirectory(),
            progress: ProgressPrinter(status: LiveStatus(), isTerminal: false)
        )
    }

    static func flowSpec(axes: [MatrixSpec.Axis], observe: Bool = false) throws -> MatrixSpec {
        MatrixSpec(
            name: "e2e-topology",
            scenario: "exchange-flow",
            load: LoadSpec(rate: 4, duration: 3, warmup: 0, arrival: .constant),
            options: ScenarioOptions(["operators": .int(2), "users": .int(4), "observe": .bool(observe)]),
            config: ["sideEffects": ["mode": .string("sync")], "rateLimit": ["perUserPerMinute": .int(100_000)]],
            axes: axes,
            ports: try Fixtures.cellPorts(),
            provider: .init(latencyMs: 5)
        )
    }

    @Test(.labBinaries)
    func twoInstancesShareTheCellAndObserversWatchFromTheOtherOne() async throws {
        let spec = try Self.flowSpec(axes: [.init(path: "instances", values: [.int(2)])], observe: true)
        let runner = try Self.runner(spec)
        let runs = try await runner.run()
        let report = try #require(runs.first?.report)
        if let failure = report.failure {
            #expect(!MatrixEndToEndTests.required, "cell failed: \(failure)")
            return
        }
        #expect(report.topology?.instances == 2)
        #expect(report.errorRate == 0, "errors: \(report.errors)")
        // Every event reached its owner although the owner's socket is on the other instance.
        #expect(report.checks["every_completion_delivered"] == true)
        #expect((report.counters["ws_completions_observed"] ?? 0) >= 8)
        let instances = try #require(report.instances)
        #expect(instances.count == 2)
        for share in instances {
            // Both served users' calls, performed transitions and pushed events to sockets.
            #expect(share.transitions > 0, "instance \(share.index) performed no transitions")
            #expect(share.wsDeliveries > 0, "instance \(share.index) delivered no events")
            #expect(share.httpRequests > 10)
        }
        // The server metrics of the cell are both instances added up.
        let transitions = report.serverMetrics?.counters.filter { $0.key.hasPrefix("exchange_transitions_total") }.values.reduce(0, +)
        #expect((transitions ?? 0) > 0)
    }

    @Test func aCellThatWouldExceedMaxConnectionsIsRefusedWithTheNumbers() async throws {
        var spec = try Self.flowSpec(axes: [.init(path: "instances", values: [.int(16)])])
        spec.config.set(path: "db.primary.poolSize", to: .int(1000))
        // No binaries needed: the cell is refused before any process starts.
        let runner = MatrixRunner(
            spec: spec,
            serverBinary: "/nonexistent/exchange-server",
            providerExecutable: "/nonexistent/scenarios",
            directory: try Fixtures.temporaryDirectory(),
            progress: ProgressPrinter(status: LiveStatus(), isTerminal: false),
            options: .init(isolate: false)
        )
        let report = try #require(try await runner.run().first?.report)
        let failure = try #require(report.failure)
        #expect(failure.hasPrefix("refused:"), "\(failure)")
        #expect(failure.contains("16 instances × (1000 pool + 1 probe)"))
        #expect(failure.contains("max_connections"))
    }
}
