import Foundation

/// The machine a report was measured on.
public struct MachineInfo: Codable, Sendable {
    public var cores: Int
    public var memoryBytes: UInt64
    public var os: String
    public var kernel: String
    public var swiftVersion: String
    public var hostname: String

    public static func current() -> MachineInfo {
        MachineInfo(
            cores: availableCores(),
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            os: osName(),
            kernel: kernelVersion(),
            swiftVersion: swiftVersion(),
            hostname: ProcessInfo.processInfo.hostName
        )
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
    static func swiftVersion() -> String {
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
