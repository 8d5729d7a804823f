import ArgumentParser
import Server

/// Prints the pgbench script of the claim transaction (see `scripts/bench-claim`).
struct BenchClaimSQL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claim-sql", abstract: "Print the claim transaction as a pgbench script.")

    func run() {
        print(RequestStore.pgbenchClaimScript(), terminator: "")
    }
}
