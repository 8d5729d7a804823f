import ArgumentParser

/// Where the servers a matrix starts come from and where its report goes (`matrix`, `gate`).
struct MatrixRunOptions: ParsableArguments {
    @Option(help: "exchange-server binary (default: EXCHANGE_SERVER_BINARY, .build/release, .build/debug).")
    var serverBinary: String?

    @Option(help: "Where report directories go.")
    var reportsDir = "reports"
}
