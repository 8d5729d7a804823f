import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, its output appended to a log file.
///
/// Waiting polls `waitpid(WNOHANG)`, so a child that leaves descendants behind can't hang us
/// (unlike `Foundation.Process.waitUntilExit`).
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let command: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable arguments…`; stdout and stderr go to `logPath` (or /dev/null). The
    /// child inherits this process's environment minus `unsetting`.
    public init(executable: String, arguments: [String], logPath: String?, unsetting: Set<String> = []) throws {
        guard !ChildRegistry.interrupted.load(ordering: .sequentiallyConsistent) else {
            throw ScenarioError("interrupted")
        }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        let target = logPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&fileActions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child starts with no signal blocked and the usual signals at their default action:
        // a spawning thread of the concurrency pool blocks signals and we ignore SIGTERM/SIGINT
        // (``ChildRegistry``), and both would otherwise be inherited (a Redis that never sees
        // the SIGTERM asking it to stop).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let environment: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment
            .filter { !unsetting.contains($0.key) }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in environment { free(pointer) } }
        let result = posix_spawn(&child, executable, &fileActions, &attributes, argv, environment)
        guard result == 0 else {
            throw ScenarioError("could not start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = child
        ChildRegistry.add(child)
        self.command = ([executable] + arguments).joined(separator: " ")
    }

    /// The exit status if the child has exited (reaps it once).
    public var exited: Int32? {
        exitStatus.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = Self.decode(raw)
                ChildRegistry.remove(pid)
            } else if result < 0 {
                status = -1
                ChildRegistry.remove(pid)
            }
            return status
        }
    }

    public var isRunning: Bool { exited == nil }

    /// Waits for exit up to `timeout`; nil if still running.
    public func wait(timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let status = exited { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exited
    }

    /// SIGTERM, then SIGKILL after `grace`; returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32? {
        guard isRunning else { return exited }
        kill(pid, SIGTERM)
        if let status = await wait(timeout: grace) { return status }
        kill(pid, SIGKILL)
        return await wait(timeout: .seconds(5))
    }

    static func decode(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: the macros aren't importable.
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Runs to completion (bounded by `timeout`), killing it if it overruns.
    public static func run(
        executable: String,
        arguments: [String],
        logPath: String?,
        timeout: Duration,
        unsetting: Set<String> = []
    ) async throws -> Int32 {
        let child = try ChildProcess(executable: executable, arguments: arguments, logPath: logPath, unsetting: unsetting)
        if let status = await child.wait(timeout: timeout) { return status }
        await child.stop(grace: .seconds(2))
        throw ScenarioError("\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") did not finish within \(timeout)")
    }
}
