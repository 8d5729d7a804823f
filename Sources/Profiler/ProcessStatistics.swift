import Foundation

/// The process's own resource use, read from the kernel (`clock_gettime`, `getrlimit`,
/// `/proc/self`), for the conventional `process_*` metrics.
public struct ProcessStatistics: Sendable, Equatable {
    /// User plus system CPU time since the process started, in seconds.
    public var cpuSeconds: Double
    /// Open file descriptors (sockets included); `nil` where `/proc/self/fd` isn't readable.
    public var openFileDescriptors: Int?
    /// The soft limit on open file descriptors (`RLIMIT_NOFILE`).
    public var maxFileDescriptors: Int?
    /// Resident set size in bytes (`/proc/self/statm`), heap and everything else; `nil` where
    /// `/proc` isn't readable.
    public var residentBytes: Int? = nil

    public static func read() -> ProcessStatistics {
        var spec = timespec()
        let cpu = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec) == 0 ? Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 : 0
        let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        var limit = rlimit()
        let max = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < rlim_t(Int.max) ? Int(limit.rlim_cur) : nil
        return ProcessStatistics(cpuSeconds: cpu, openFileDescriptors: fds, maxFileDescriptors: max, residentBytes: residentSetSize())
    }

    /// `/proc/self/statm`'s second field (resident pages) times the page size.
    static func residentSetSize() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// When the process started, in seconds since the Unix epoch: `/proc/self/stat`'s start
    /// time (clock ticks after boot) plus the boot time of `/proc/stat`. Falls back to the
    /// first call's wall-clock time where `/proc` isn't available.
    public static let startTimeSeconds: Double = procStartTime() ?? Date().timeIntervalSince1970

    private static func procStartTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)" start at field 3 (state); the start time is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        guard let procStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = procStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard hertz > 0 else { return nil }
        return boot + ticks / hertz
    }
}
