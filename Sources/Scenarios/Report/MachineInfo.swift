import Foundation

/// The machine a report was measured on.
public struct MachineInfo: Codable, Sendable {
    public var cores: Int
    public var memoryBytes: UInt64
    public var os: String
    public var kernel: String
    public var swiftVersion: String
    public var hostname: String

    public static func current() async -> MachineInfo {
        MachineInfo(
            cores: availableCores(),
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            os: osName(),
            kernel: kernelVersion(),
            swiftVersion: await installedSwiftVersion() ?? compilerVersion(),
            hostname: ProcessInfo.processInfo.hostName
        )
    }

    /// `swift --version` of the toolchain on PATH ("6.3.1"), nil if there is none.
    static func installedSwiftVersion() async -> String? {
        let output = NSTemporaryDirectory() + "scenarios-swift-version-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard
            let status = try? await ChildProcess.run(
                executable: "/usr/bin/env",
                arguments: ["swift", "--version"],
                logPath: output,
                timeout: .seconds(15)
            ),
            status == 0,
            let text = try? String(contentsOfFile: output, encoding: .utf8),
            let range = text.range(of: "Swift version ")
        else { return nil }
        return String(text[range.upperBound...].prefix { !$0.isWhitespace })
    }

    public var summary: String {
        "\(cores) cores, \(String(format: "%.1f", Double(memoryBytes) / 1_073_741_824)) GiB, \(os) (\(kernel)), Swift \(swiftVersion)"
    }

    static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "unknown"
    }

    static func kernelVersion() -> String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }

    /// The compiler this binary was built with.
    static func compilerVersion() -> String {
        #if compiler(>=6.4)
        return "≥ 6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "< 6.2"
        #endif
    }
}
