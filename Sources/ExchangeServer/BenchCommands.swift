import ArgumentParser
import Foundation
import PostgresClient
import Profiler
import Server

/// `exchange-server bench …`: small closed-loop micro-benchmarks used for the numbers in the
/// README (pool overhead next to pgbench). Scenario load with honest latency lives in
/// `scenarios`; these only answer "how many round trips per second".
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Micro-benchmarks of the pool (see scripts/bench-pool, scripts/bench-claim, scripts/bench-stats).",
        subcommands: [BenchPool.self, BenchClaimSQL.self, BenchStatsSQL.self]
    )
}

struct BenchPool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pool", abstract: "SELECT 1 round trips per second through the primary pool.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Concurrent tasks (and pool size).") var concurrency = 1
    @Option(help: "Seconds to run.") var seconds = 5

    func run() async throws {
        let configuration = options.load()
        let pool = PostgresPool(configuration: PostgresConfiguration(url: configuration.db.primary.url, name: "bench", poolSize: concurrency))
        let one = PostgresQuery("bench_one", "SELECT 1 AS one")
        // Warm up: open every connection and prepare the statement on each.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency { group.addTask { _ = try await pool.query(one) } }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try await pool.query(one)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let secondsElapsed = (ContinuousClock.now - start).seconds
        print(
            String(
                format: "concurrency %d: %d queries in %.2f s = %.0f queries/s",
                concurrency,
                total,
                secondsElapsed,
                Double(total) / secondsElapsed
            )
        )
        pool.close()
    }
}
