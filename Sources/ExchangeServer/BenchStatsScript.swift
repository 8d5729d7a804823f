import ArgumentParser
import Server

/// Prints the stats query (`$1` from, `$2` to) so `scripts/bench-stats` can explain it on the replica.
struct BenchStatsSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats-sql",
        abstract: "Print the SQL of GET /api/stats (rollup plus edges; --raw: the plain aggregate over requests)."
    )

    @Flag(help: "The plain aggregate over requests instead of the rollup query.") var raw = false

    func run() {
        print(StatsStore.sql(raw: raw))
    }
}
