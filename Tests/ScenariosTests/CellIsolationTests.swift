import Foundation
import Testing

@testable import Scenarios

@Suite struct CellIsolationTests {
    @Test func databaseURLsKeepHostAndQuery() {
        #expect(
            CellIsolation.url("postgresql://postgres@127.0.0.1:55432/exchange", database: "lab_x_c3")
                == "postgresql://postgres@127.0.0.1:55432/lab_x_c3"
        )
        #expect(CellIsolation.url("postgres://u:p@db:5432/exchange?sslmode=disable", database: "t") == "postgres://u:p@db:5432/t?sslmode=disable")
        #expect(CellIsolation.url("postgresql://127.0.0.1:55433", database: "t") == "postgresql://127.0.0.1:55433/t")
        #expect(
            CellIsolation.url("postgresql://exchange_app@127.0.0.1:55432/exchange", user: "postgres", database: "postgres")
                == "postgresql://postgres@127.0.0.1:55432/postgres"
        )
        #expect(
            CellIsolation.url("postgresql://127.0.0.1:55432/exchange", user: "postgres", database: "x") == "postgresql://postgres@127.0.0.1:55432/x"
        )
        #expect(CellIsolation.user(of: "postgresql://exchange_owner:secret@127.0.0.1:55432/exchange") == "exchange_owner")
        #expect(CellIsolation.user(of: "postgresql://127.0.0.1:55432/exchange") == nil)
    }

    @Test func runIDsAreUniqueIdentifiers() {
        let a = CellIsolation.makeRunID()
        let b = CellIsolation.makeRunID()
        #expect(a != b)
        #expect((a + "_template").count <= 63)
        #expect(a.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
    }

    /// A shell that exported EXCHANGE_REDIS_KEY_PREFIX (or a database URL) must not undo a
    /// cell's isolation: the server reads the environment after its config file.
    @Test func cellServersDoNotInheritTheVariablesTheRunnerOwns() async throws {
        setenv("EXCHANGE_REDIS_KEY_PREFIX", "leaked:", 1)
        setenv("EXCHANGE_DB_PRIMARY_URL", "postgresql://leaked/db", 1)
        setenv("EXCHANGE_LOG_LEVEL", "debug", 1)
        defer {
            unsetenv("EXCHANGE_REDIS_KEY_PREFIX")
            unsetenv("EXCHANGE_DB_PRIMARY_URL")
            unsetenv("EXCHANGE_LOG_LEVEL")
        }
        let log = try Fixtures.temporaryDirectory() + "/env.txt"
        let status = try await ChildProcess.run(
            executable: "/usr/bin/env",
            arguments: [],
            logPath: log,
            timeout: .seconds(10),
            unsetting: ServerInstance.cellOwnedEnvironment
        )
        #expect(status == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!text.contains("EXCHANGE_REDIS_KEY_PREFIX"))
        #expect(!text.contains("EXCHANGE_DB_PRIMARY_URL"))
        #expect(text.contains("EXCHANGE_LOG_LEVEL=debug"))
    }
}
