import Foundation

/// Where a report's numbers came from: the code, the server binary, when, and how busy the
/// machine was. A debug server binary, or a release binary older than the sources, is refused
/// unless `--allow-stale` (``check(serverBinary:root:)``).
public struct Provenance: Codable, Sendable {
    public var gitCommit: String?
    /// Uncommitted changes in the working tree when the run started.
    public var dirty: Bool?
    /// `release`, `debug`, or `unknown` (from the binary's build directory).
    public var buildConfiguration: String
    public var serverBinary: String
    /// The binary's modification time, and the newest source file's (ISO 8601).
    public var serverBinaryModified: String?
    public var sourcesModified: String?
    public var startedAt: String
    public var endedAt: String?
    /// 1, 5 and 15-minute load averages at the start and at the end.
    public var loadAverage: [String: [Double]]
    /// Share of CPU time the hypervisor stole during the run (0…1).
    public var cpuSteal: Double?
    /// Set when a stale or debug binary was used anyway (`--allow-stale`).
    public var warning: String?

    /// What `check` found about a binary.
    public struct BinaryCheck: Sendable {
        public var buildConfiguration: String
        public var binaryModified: Date?
        public var sourcesModified: Date?
        /// Why the binary should not be used for measurements (nil: fine).
        public var problem: String?
    }

    /// Judges `serverBinary`: its build configuration, and whether the server's sources under
    /// `root/Sources` (all but the lab's own modules) changed after it was built.
    public static func check(serverBinary: String, root: String = FileManager.default.currentDirectoryPath) -> BinaryCheck {
        let resolved = URL(fileURLWithPath: serverBinary).resolvingSymlinksInPath().path
        let configuration: String
        if resolved.contains("/release/") {
            configuration = "release"
        } else if resolved.contains("/debug/") {
            configuration = "debug"
        } else {
            configuration = "unknown"
        }
        let binaryDate = (try? FileManager.default.attributesOfItem(atPath: resolved))?[.modificationDate] as? Date
        let sourcesDate = serverSourceDirectories(root: root).compactMap(newestModification(under:)).max()
        var problem: String?
        if configuration == "debug" {
            problem = "\(serverBinary) is a debug build: its numbers say little about the server (build with `swift build -c release`)"
        } else if let binaryDate, let sourcesDate, sourcesDate > binaryDate {
            problem =
                "\(serverBinary) is older than the sources (built \(iso(binaryDate)), sources changed \(iso(sourcesDate))): rebuild with `swift build -c release`"
        }
        return BinaryCheck(buildConfiguration: configuration, binaryModified: binaryDate, sourcesModified: sourcesDate, problem: problem)
    }

    /// Starts a record: git state, binary check, load average, CPU counters.
    public static func begin(serverBinary: String, root: String = FileManager.default.currentDirectoryPath) async -> (Provenance, ProvenanceClock) {
        let binary = check(serverBinary: serverBinary, root: root)
        let commit = await git(["rev-parse", "HEAD"], root: root)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let status = await git(["status", "--porcelain", "--untracked-files=no"], root: root)
        let provenance = Provenance(
            gitCommit: commit?.isEmpty == false ? commit : nil,
            dirty: status.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty },
            buildConfiguration: binary.buildConfiguration,
            serverBinary: serverBinary,
            serverBinaryModified: binary.binaryModified.map(iso),
            sourcesModified: binary.sourcesModified.map(iso),
            startedAt: iso(Date()),
            endedAt: nil,
            loadAverage: ["start": ProcFS.loadAverage()],
            cpuSteal: nil,
            warning: binary.problem
        )
        return (provenance, ProvenanceClock(machineStart: ProcFS.machineTicks()))
    }

    /// Ends the record: end time, load average, stolen CPU share.
    public mutating func end(_ clock: ProvenanceClock) {
        endedAt = Self.iso(Date())
        loadAverage["end"] = ProcFS.loadAverage()
        if let start = clock.machineStart, let end = ProcFS.machineTicks(), end.total > start.total {
            cpuSteal = (end.steal - start.steal) / (end.total - start.total)
        }
    }

    public var summary: String {
        let commit = gitCommit.map { String($0.prefix(12)) + (dirty == true ? " (dirty)" : "") } ?? "unknown commit"
        let load = (loadAverage["start"]?.first).map { String(format: "%.2f", $0) } ?? "?"
        let loadEnd = (loadAverage["end"]?.first).map { String(format: "%.2f", $0) } ?? "?"
        let steal = cpuSteal.map { String(format: "%.1f%%", $0 * 100) } ?? "?"
        return
            "\(commit), \(buildConfiguration) server `\(serverBinary)`, \(startedAt) → \(endedAt ?? "?"), load average \(load) → \(loadEnd), CPU steal \(steal)"
    }

    static func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    /// The source folders the server is built from: everything under `Sources/` but the lab's own.
    static func serverSourceDirectories(root: String) -> [String] {
        let labOnly: Set<String> = ["Scenarios", "ScenariosCLI", "ProviderSimulator"]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Sources")) ?? []
        return entries.filter { !labOnly.contains($0) }.map { root + "/Sources/" + $0 }
    }

    static func newestModification(under directory: String) -> Date? {
        guard
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: directory),
                includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey]
            )
        else { return nil }
        var newest: Date?
        for case let url as URL in enumerator {
            guard let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .isRegularFileKey]),
                values.isRegularFile == true, let date = values.contentModificationDate
            else { continue }
            if newest.map({ date > $0 }) ?? true { newest = date }
        }
        return newest
    }

    static func git(_ arguments: [String], root: String) async -> String? {
        let output = NSTemporaryDirectory() + "scenarios-git-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard
            let status = try? await ChildProcess.run(
                executable: "/usr/bin/env",
                arguments: ["git", "-C", root] + arguments,
                logPath: output,
                timeout: .seconds(15)
            ), status == 0
        else { return nil }
        return try? String(contentsOfFile: output, encoding: .utf8)
    }
}

/// CPU counters at the start of a run, for `Provenance.end`.
public struct ProvenanceClock: Sendable {
    var machineStart: (busy: Double, total: Double, steal: Double)?
}
