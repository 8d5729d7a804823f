import ArgumentParser

@main
struct ScenariosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Exchange Lab scenario runner and provider simulator.",
        subcommands: [ProviderCommand.self]
    )
}
