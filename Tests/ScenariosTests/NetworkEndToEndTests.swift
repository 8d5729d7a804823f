import Foundation
import PostgresClient
import Testing
import WireJSON

@testable import Scenarios

/// A cell whose database is 1 ms of round trip away (through the latency relay), and one
/// whose primary is reached through PgBouncer in transaction mode, end to end against real
/// `exchange-server` processes (see `MatrixEndToEndTests` for when they run).
@Suite(.serialized) struct NetworkEndToEndTests {
    static var pgbouncerInstalled: Bool { FileManager.default.isExecutableFile(atPath: CellNetwork.pgbouncerBinary) }

    @Test(.labBinaries)
    func aCellWithOneMillisecondToTheDatabaseRunsThroughTheRelay() async throws {
        let spec = try TopologyEndToEndTests.flowSpec(axes: [.init(path: "dbRttMs", values: [.int(1)])])
        guard let (_, report) = try await Self.runFlowCell(spec) else { return }
        // The server was pointed at the relays, not at PostgreSQL.
        let primary = try #require(report.config[path: "db.primary.url"]?.stringValue)
        let replica = try #require(report.config[path: "db.replica.url"]?.stringValue)
        #expect(primary.contains("127.0.0.1:\(spec.ports.relay)/"), "\(primary)")
        #expect(replica.contains("127.0.0.1:\(spec.ports.relay + 1)/"), "\(replica)")
        // A claim is a transaction of several round trips: with 1 ms each it can't be faster than 1 ms.
        let claim = try #require(report.operations["claim"])
        #expect(claim.p50Ms >= 1, "claim p50 \(claim.p50Ms) ms")
    }

    @Test(
        .enabled(
            if: MatrixEndToEndTests.required || (MatrixEndToEndTests.binaries != nil && NetworkEndToEndTests.pgbouncerInstalled),
            "needs the binaries and pgbouncer (scripts/dev-services up --pgbouncer; set LAB_E2E=1 to require them)"
        )
    )
    func aCellBehindPgBouncerInTransactionModeWorks() async throws {
        var spec = try TopologyEndToEndTests.flowSpec(
            axes: [.init(path: "pooler", values: [.string("pgbouncer")]), .init(path: "instances", values: [.int(2)])]
        )
        spec.topology.poolerPoolSize = 3
        spec.config.set(path: "db.primary.poolSize", to: .int(8))
        guard let (runner, report) = try await Self.runFlowCell(spec) else { return }
        #expect(report.config[path: "db.primary.url"]?.stringValue?.contains("127.0.0.1:\(spec.ports.pooler)/") == true)
        #expect(report.config[path: "db.preparedStatements"] == .bool(false))
        #expect(FileManager.default.fileExists(atPath: runner.directory + "/cells/0/pgbouncer.ini"))
    }
}

/// The unnamed-statement mode of the client through a real PgBouncer (transaction pooling):
/// parameters, several statements per transaction, and no "prepared statement does not exist".
@Suite struct UnnamedStatementsThroughPgBouncerTests {
    @Test(
        .enabled(
            if: MatrixEndToEndTests.required || NetworkEndToEndTests.pgbouncerInstalled,
            "needs pgbouncer (scripts/dev-services up --pgbouncer; set LAB_E2E=1 to require it)"
        )
    )
    func statementsWorkThroughTransactionPooling() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let network = try await CellNetwork.start(
            topology: Topology(pooler: .pgbouncer, poolerPoolSize: 2),
            config: ["db": ["primary": ["url": .string("postgresql://exchange_app@127.0.0.1:55432/exchange")]]],
            ports: try Fixtures.cellPorts(),
            directory: directory,
            scenariosExecutable: "/nonexistent"
        )
        do {
            try await Self.queryConcurrently(through: network)
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }

    static func queryConcurrently(through network: CellNetwork) async throws {
        let url = try #require(network.config[path: "db.primary.url"]?.stringValue)
        var configuration = PostgresConfiguration(url: url, name: "pooled", poolSize: 6)
        configuration.preparedStatements = false
        let pool = PostgresPool(configuration: configuration)
        defer { pool.close() }
        let query = PostgresQuery("pooled_add", "SELECT $1::int + $2::int AS sum, current_setting('statement_timeout') AS timeout")
        // More client connections (6) than server connections (2): statements hop between them.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<60 {
                group.addTask {
                    let row = try #require(try await pool.query(query, [index, 1]).first)
                    #expect(try row.decode("sum", as: Int.self) == index + 1)
                    #expect(try row.decode("timeout", as: String.self) == "5s")
                }
            }
            try await group.waitForAll()
        }
    }
}

extension NetworkEndToEndTests {
    /// Runs the one-cell flow matrix `spec` and checks it completed flows without errors; nil
    /// when the cell failed and the end-to-end tests are not required.
    static func runFlowCell(_ spec: MatrixSpec) async throws -> (MatrixRunner, CellReport)? {
        let runner = try TopologyEndToEndTests.runner(spec)
        let runs = try await runner.run()
        let report = try #require(runs.first?.report)
        if let failure = report.failure {
            #expect(!MatrixEndToEndTests.required, "cell failed: \(failure)")
            return nil
        }
        #expect(report.errorRate == 0, "errors: \(report.errors)")
        #expect((report.operations["complete"]?.count ?? 0) >= 8)
        return (runner, report)
    }
}
