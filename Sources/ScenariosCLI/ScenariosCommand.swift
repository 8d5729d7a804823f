import ArgumentParser

@main
struct ScenariosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Exchange Lab scenario runner and provider simulator.",
        subcommands: [
            ListCommand.self, RunCommand.self, MatrixCommand.self, GateCommand.self, CompareCommand.self, ReportCommand.self, ProviderCommand.self,
            RelayCommand.self,
        ]
    )
}
