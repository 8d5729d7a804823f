import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing

/// Integration tests against the real PostgreSQL of `scripts/dev-services`.
@Suite struct PostgresPoolTests {
    static let primaryURL = ProcessInfo.processInfo.environment["EXCHANGE_DB_PRIMARY_URL"] ?? "postgresql://postgres@127.0.0.1:55432/exchange"
    static let replicaURL = ProcessInfo.processInfo.environment["EXCHANGE_DB_REPLICA_URL"] ?? "postgresql://postgres@127.0.0.1:55433/exchange"

    func makePool(
        size: Int,
        name: String = "t\(UInt32.random(in: 0...UInt32.max))",
        acquireTimeout: Duration = .seconds(5),
        url: String = primaryURL
    ) -> PostgresPool {
        PostgresPool(configuration: PostgresConfiguration(url: url, name: name, poolSize: size, acquireTimeout: acquireTimeout))
    }

    static let one = PostgresQuery("one", "SELECT 1 AS one")
    static let echo = PostgresQuery("echo", "SELECT $1::text AS value, $2::int AS number")
    static let sleep = PostgresQuery("sleep", "SELECT 1 AS slept FROM pg_sleep($1::float8)")
    static let backends = PostgresQuery("backends", "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1")
    static let pid = PostgresQuery("pid", "SELECT pg_backend_pid() AS pid")
    static let kill = PostgresQuery("kill", "SELECT pg_terminate_backend($1::int) AS killed")

    @Test func twoHundredTasksShareFourConnections() async throws {
        // A generous acquire timeout: this checks the cap, not speed, on a busy 2-core machine.
        let pool = makePool(size: 4, acquireTimeout: .seconds(120))
        let observer = makePool(size: 1)
        defer {
            pool.close()
            observer.close()
        }
        let maxOpen = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let rows = try await pool.query(Self.sleep, [0.002])
                    #expect(try rows.first?.decode("slept", as: Int.self) == 1)
                    let open = pool.statistics().open
                    maxOpen.withLock { $0 = max($0, open) }
                }
            }
            try await group.waitForAll()
        }
        #expect(maxOpen.withLock { $0 } <= 4)
        let serverSide: Int = try await observer.query(Self.backends, ["exchange-\(pool.configuration.name)"]).first!.decode("n")
        #expect(serverSide <= 4)
        #expect(serverSide >= 1)
        #expect(pool.statistics().pending == 0)
    }

    @Test func acquireTimesOutWithPoolTimeout() async throws {
        let pool = makePool(size: 1, acquireTimeout: .milliseconds(150))
        defer { pool.close() }
        let held = try await pool.acquire()
        let start = ContinuousClock.now
        await #expect {
            _ = try await pool.query(Self.one)
        } throws: { error in
            guard case .poolTimeout(let name, _) = error as? PostgresError else { return false }
            return name == pool.configuration.name
        }
        #expect(ContinuousClock.now - start >= .milliseconds(140))
        pool.release(held)
        #expect(try await pool.query(Self.one).count == 1)
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let pool = makePool(size: 1)
        defer { pool.close() }
        let held = try await pool.acquire()
        let order = Locked<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask {
                    try await pool.withConnection { _ in order.withLock { $0.append(index) } }
                }
                // Let each waiter park before the next arrives.
                try await eventually("waiter \(index) parked", timeout: .seconds(10), every: .milliseconds(1)) {
                    pool.statistics().pending >= index + 1
                }
            }
            pool.release(held)
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    @Test func killedConnectionIsReplaced() async throws {
        let pool = makePool(size: 1)
        let admin = makePool(size: 1)
        defer {
            pool.close()
            admin.close()
        }
        let pid: Int = try await pool.query(Self.pid).first!.decode("pid")
        _ = try await admin.query(Self.kill, [pid])
        // The first use may discover the dead socket; after that the pool must have a fresh one.
        _ = try? await pool.query(Self.one)
        let newPID: Int = try await pool.query(Self.pid).first!.decode("pid")
        #expect(newPID != pid)
        #expect(pool.statistics().open == 1)
    }

    @Test func parametersAreBoundNotInterpolated() async throws {
        let pool = makePool(size: 1)
        defer { pool.close() }
        let hostile = "'); DROP TABLE users; --"
        let row = try await pool.query(Self.echo, [hostile, 42]).first!
        #expect(try row.decode("value", as: String.self) == hostile)
        #expect(try row.decode("number", as: Int.self) == 42)
        #expect(try row.decode("value", as: String?.self) == hostile)
    }

    @Test func transactionRollsBackOnThrow() async throws {
        let pool = makePool(size: 1)
        defer { pool.close() }
        let table = "rollback_\(UInt32.random(in: 0...UInt32.max))"
        try await pool.execute("CREATE TABLE \(table) (v int)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.transaction { connection in
                try await connection.execute("INSERT INTO \(table) VALUES (1)")
                throw Boom()
            }
        }
        let count = PostgresQuery("count_\(table)", "SELECT count(*) AS n FROM \(table)")
        #expect(try await pool.query(count).first!.decode("n", as: Int.self) == 0)
        try await pool.transaction { connection in try await connection.execute("INSERT INTO \(table) VALUES (2)") }
        #expect(try await pool.query(count).first!.decode("n", as: Int.self) == 1)
        try await pool.execute("DROP TABLE \(table)")
    }

    @Test func serverErrorsCarrySQLState() async throws {
        let pool = makePool(size: 1)
        defer { pool.close() }
        await #expect {
            _ = try await pool.query(PostgresQuery("bad", "SELECT 1/0 AS x"))
        } throws: { ($0 as? PostgresError)?.sqlState == "22012" }
        // The connection survives a statement error.
        #expect(try await pool.query(Self.one).count == 1)
    }

    @Test func unreachableServerFailsFast() async throws {
        let pool = makePool(size: 1, url: "postgresql://postgres@127.0.0.1:1/exchange")
        defer { pool.close() }
        await #expect {
            _ = try await pool.query(Self.one)
        } throws: { ($0 as? PostgresError)?.isConnectionError == true }
        #expect(pool.statistics().open == 0)
    }

    @Test func rowWrittenOnPrimaryAppearsOnReplica() async throws {
        let primary = makePool(size: 1)
        let replica = makePool(size: 1, url: Self.replicaURL)
        defer {
            primary.close()
            replica.close()
        }
        let marker = UUID().uuidString
        try await primary.execute("CREATE TABLE IF NOT EXISTS replication_probe (marker text PRIMARY KEY, at timestamptz DEFAULT now())")
        _ = try await primary.query(PostgresQuery("probe_insert", "INSERT INTO replication_probe (marker) VALUES ($1)"), [marker])
        let find = PostgresQuery("probe_find", "SELECT count(*) AS n FROM replication_probe WHERE marker = $1")
        try await eventually("the row on the replica", timeout: .seconds(15), every: .milliseconds(50)) {
            let n: Int? = try? await replica.query(find, [marker]).first?.decode("n")
            return n == 1
        }
    }

    @Test func timestampsDecodeInUTC() async throws {
        let pool = makePool(size: 1)
        defer { pool.close() }
        let row = try await pool.query(PostgresQuery("ts", "SELECT '2026-11-28 01:02:03.25+02'::timestamptz AS t")).first!
        let date: Date = try row.decode("t")
        #expect(date.timeIntervalSince1970 == 1_795_820_523.25)
    }
}

/// A failed connection says why (libpq's reason), so a log line like "database unavailable"
/// tells an operator whether the server is down or out of connection slots.
@Suite struct ConnectionFailureTests {
    @Test func theErrorCarriesLibpqsReasonOnOneLine() async throws {
        let configuration = PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/exchange", name: "t-refused")
        await #expect {
            _ = try await PostgresConnection.connect(configuration: configuration)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("PostgreSQL connection failed: ") && text.contains("refused") && !text.contains("\n")
        }
    }
}
