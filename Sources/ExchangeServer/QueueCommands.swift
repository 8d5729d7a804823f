import ArgumentParser
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "stub")
    @OptionGroup var options: ConfigOptions
    func run() async throws {}
}
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "stub")
}
