import ArgumentParser
import Foundation
import Scenarios
import WireJSON

/// `--rate --duration --warmup --arrival --option key=value` shared by `run`.
struct LoadOptions: ParsableArguments {
    @Option(help: "Arrivals per second of the scenario's primary operation.")
    var rate: Double = 10

    @Option(help: "Measured seconds.")
    var duration: Double = 20

    @Option(help: "Warm-up seconds (same load, not recorded).")
    var warmup: Double = 3

    @Option(help: "Arrival process: constant or poisson.")
    var arrival: ArrivalProcess = .poisson

    @Option(help: "Seed of the arrival schedule.")
    var seed: UInt64 = 42

    @Option(name: .customLong("option"), help: "Scenario option KEY=VALUE (repeatable), e.g. operators=8, providerLatencyMs=300.")
    var scenarioOptions: [String] = []

    var load: LoadSpec {
        LoadSpec(rate: rate, duration: duration, warmup: warmup, arrival: arrival, seed: seed)
    }

    func options() throws -> ScenarioOptions {
        var values: [String: JSON] = [:]
        for item in scenarioOptions {
            guard let equals = item.firstIndex(of: "=") else { throw ValidationError("--option expects KEY=VALUE, got \(item)") }
            let key = String(item[..<equals])
            let text = String(item[item.index(after: equals)...])
            if let integer = Int(text) {
                values[key] = .int(integer)
            } else if let number = Double(text) {
                values[key] = .double(number)
            } else if text == "true" || text == "false" {
                values[key] = .bool(text == "true")
            } else {
                values[key] = .string(text)
            }
        }
        return ScenarioOptions(values)
    }
}

extension ArrivalProcess: ExpressibleByArgument {}
