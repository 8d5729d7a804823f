import ArgumentParser
import Scenarios

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios, one line each.")

    func run() {
        let width = ScenarioRegistry.all.map(\.name.count).max() ?? 0
        for scenario in ScenarioRegistry.all {
            say(scenario.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + scenario.summary)
        }
    }
}
