import ArgumentParser

/// Where the servers a matrix starts come from, where its report goes, and how cells are
/// isolated and ordered (`matrix`, `gate`).
struct MatrixRunOptions: ParsableArguments {
    @Option(help: "exchange-server binary (default: EXCHANGE_SERVER_BINARY, .build/release, .build/debug).")
    var serverBinary: String?

    @Option(help: "Where report directories go.")
    var reportsDir = "reports"

    @Flag(help: "Measure with a debug server binary, or a release binary older than the sources (refused otherwise).")
    var allowStale = false

    @Flag(help: "Keep each cell's PostgreSQL database and Redis keys after it (for inspection).")
    var keep = false

    @Flag(help: "Run the cells in a random order (the seed is printed and recorded).")
    var shuffle = false

    @Option(help: "Seed for --shuffle (default: random).")
    var seed: UInt64?
}
