import ArgumentParser
import Scenarios

/// `--search OPERATION --p99-ms … ` for `scenarios run`: search the capacity instead of one rate.
struct SearchOptions: ParsableArguments {
    @Option(help: "Search the capacity: raise the rate until OPERATION's p99 or error rate breaks the SLO (e.g. claim).")
    var search: String?

    @Option(help: "SLO: p99 of the searched operation (all outcomes), milliseconds.")
    var p99Ms: Double = 100

    @Option(help: "SLO: highest error rate (0…1).")
    var maxErrorRate: Double = 0.01

    @Option(help: "First step's rate.")
    var startRate: Double = 50

    @Option(help: "Each growth step multiplies the rate by this.")
    var growth: Double = 1.5

    @Option(help: "Measured seconds per step.")
    var stepSeconds: Double = 10

    @Option(help: "Bisection steps between the last good and the first bad rate.")
    var refine: Int = 3

    @Option(help: "Never offer more than this rate.")
    var maxRate: Double = 100_000

    func spec() throws -> SearchSpec? {
        guard let search else { return nil }
        let spec = SearchSpec(
            operation: search,
            p99Ms: p99Ms,
            maxErrorRate: maxErrorRate,
            startRate: startRate,
            growth: growth,
            stepSeconds: stepSeconds,
            refine: refine,
            maxRate: maxRate
        )
        do {
            try spec.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return spec
    }
}
