import Foundation

/// Finds the `exchange-server` executable: the flag, `EXCHANGE_SERVER_BINARY`, then the
/// release and debug build products under the working directory.
public enum ServerBinary {
    public static func resolve(_ explicit: String?, root: String = FileManager.default.currentDirectoryPath) -> String? {
        if let explicit { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["EXCHANGE_SERVER_BINARY"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        candidates += [root + "/.build/release/exchange-server", root + "/.build/debug/exchange-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The running `scenarios` executable (to start `scenarios provider` children).
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A `scenarios` executable for tests and tools that aren't `scenarios` themselves.
    public static func scenarios(root: String = FileManager.default.currentDirectoryPath) -> String? {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["SCENARIOS_BINARY"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        candidates += [".build-lab/debug/scenarios", ".build/debug/scenarios", ".build/release/scenarios"].map { root + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
