import ArgumentParser
import Scenarios

/// `scenarios report DIR`: redraws a report's `report.md` and capacity charts from its `report.json`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render a report directory's report.md and capacity charts from its report.json."
    )

    @Argument(help: "Report directory.")
    var directory: String

    func run() throws {
        for file in try ReportWriter.rerender(directory: directory).sorted() { say("wrote \(directory)/\(file)") }
    }
}
