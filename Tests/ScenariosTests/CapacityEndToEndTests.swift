import Foundation
import PostgresClient
import RedisClient
import Testing
import WireJSON

@testable import Scenarios

/// A small capacity search (2 cells, short steps) against real `exchange-server` processes,
/// each cell in its own PostgreSQL database and Redis namespace.
///
/// Runs when both binaries exist (see `MatrixEndToEndTests`); `LAB_E2E=1` makes a missing
/// binary or a failing cell a test failure.
@Suite(.serialized) struct CapacityEndToEndTests {
    @Test(.labBinaries) func aSmallSearchFindsCapacityWithTheSameWindowOnBothSides() async throws {
        let (server, scenarios) = try MatrixEndToEndTests.requireBinaries()
        let ports = try Fixtures.cellPorts()
        let spec = MatrixSpec(
            name: "e2e-search",
            scenario: "exchange-flow",
            load: LoadSpec(rate: 5, duration: 2, warmup: 1, arrival: .poisson),
            options: ScenarioOptions(["operators": .int(2), "users": .int(6), "observe": .bool(false)]),
            config: [
                "sideEffects": ["mode": .string("queued")], "workers": ["count": .int(1)],
                "rateLimit": ["perUserPerMinute": .int(100_000)],
            ],
            axes: [.init(path: "db.primary.poolSize", values: [.int(2), .int(8)])],
            ports: ports,
            provider: .init(latencyMs: 5),
            search: SearchSpec(operation: "claim", p99Ms: 3000, maxErrorRate: 0.05, startRate: 6, growth: 2, stepSeconds: 2, refine: 1, maxRate: 24)
        )
        let directory = try Fixtures.temporaryDirectory()
        let runner = MatrixRunner(
            spec: spec,
            serverBinary: server,
            providerExecutable: scenarios,
            directory: directory,
            progress: ProgressPrinter(status: LiveStatus(), isTerminal: false),
            options: .init(shuffleSeed: 11)
        )
        let runs = try await runner.run()
        #expect(runs.count == 2)
        if let failure = runs.compactMap(\.report.failure).first {
            #expect(!MatrixEndToEndTests.required, "cell failed: \(failure)")
            return
        }
        var prefixes: Set<String> = []
        for run in runs {
            let report = run.report
            let capacity = try #require(report.capacity)
            // On a quiet machine the search grows through several steps; on a loaded one the
            // engine may judge even the first step untrustworthy — then it must say so.
            #expect(!capacity.steps.isEmpty)
            if capacity.rate == nil {
                #expect(capacity.limitedBy == "load engine" || capacity.steps.first?.met == false, "\(capacity.steps.map(\.verdict))")
            } else {
                #expect(capacity.steps.count >= 2)
            }
            // The capacity is the highest rate whose step met the SLO with a trustworthy engine.
            #expect(capacity.rate == capacity.steps.filter { $0.met }.map { $0.offeredRate }.max())
            #expect(!capacity.limitedBy.isEmpty)
            #expect(!capacity.evidence.isEmpty)
            for step in capacity.steps {
                let server = try #require(step.server)
                #expect(server.scrapeError == nil)
                // Same window on both sides: the server can never have seen a slower p99 than
                // the client did (compared at the server's bucket resolution).
                for operation in ["create_request", "claim"] {
                    let client = try #require(step.allOutcomes[operation], "\(operation) at \(step.offeredRate)/s")
                    let route = try #require(server.routeLatency(of: operation), "server route of \(operation)")
                    #expect(route.count >= Double(client.count), "\(operation): server saw fewer requests than the client")
                    let serverLow = try #require(route.p99LowMs)
                    #expect(
                        serverLow <= client.p99Ms,
                        "\(operation) at \(step.offeredRate)/s: server p99 ≥ \(serverLow) ms > client p99 \(client.p99Ms) ms"
                    )
                }
                #expect(step.resources?.coresUsed["server"] != nil)
            }
            // Isolated: its own database and key prefix, both gone after the cell.
            let isolation = try #require(report.isolation)
            let prefix = try #require(isolation["redisKeyPrefix"])
            prefixes.insert(prefix)
            #expect(report.config[path: "redis.keyPrefix"]?.stringValue == prefix)
            let database = try #require(isolation["database"])
            let admin = PostgresPool(
                configuration: PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:55432/postgres", name: "e2e", poolSize: 1)
            )
            let rows = try await admin.query(PostgresQuery("e2e_db", "SELECT 1 FROM pg_database WHERE datname = $1"), [database])
            admin.close()
            #expect(rows.isEmpty, "cell database \(database) was not dropped")
            let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:56379"))
            let keys = try await redis.send(["KEYS", prefix + "*"])
            await redis.shutdown()
            #expect(keys.array?.isEmpty ?? true, "cell keys under \(prefix) were not deleted")
            #expect(report.runOrder != nil)
        }
        #expect(prefixes.count == 2)
        var measurements: [Int: CellMeasurement] = [:]
        for run in runs { measurements[run.report.id] = run.measurement }
        let report = Report(
            name: "e2e-search",
            scenario: spec.scenario,
            load: spec.load,
            options: spec.options,
            machine: await .current(),
            selection: SelectionRule(operation: "claim", ceilingMs: 3000),
            cells: runs.map(\.report)
        )
        let written = try ReportWriter.write(report, measurements: measurements, to: directory)
        #expect(written.contains("latency-vs-offered-rate.svg"))
        #expect(written.contains("capacity-by-pool-size.svg"))
        #expect(written.contains { $0.hasPrefix("timeline/") })
        #expect(written.contains { $0.hasSuffix(".hlog") })
        let markdown = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(markdown.contains("## Knee"))
        let decoded = try Report.load(from: directory)
        #expect(decoded.cells.allSatisfy { $0.capacity != nil })
        if decoded.cells.contains(where: { $0.capacity?.rate != nil }) {
            #expect(decoded.knees?.isEmpty == false)
            #expect(markdown.contains("pool "))
        }
    }
}
