import ArgumentParser
import Server

/// `exchange-server metrics list`: the metric catalogue, as a table, JSON or Markdown.
struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The metrics this server exports.",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every metric family: name, type, labels, unit, exporting process, when it updates, help."
        )

        @Option(help: "text (aligned table), json (for tools), or markdown (for docs/metrics.md).")
        var format: MetricCatalogue.Format = .text

        func run() throws {
            print(MetricCatalogue.render(format), terminator: "")
        }
    }
}

extension MetricCatalogue.Format: ExpressibleByArgument {}
