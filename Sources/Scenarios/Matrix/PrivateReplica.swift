import Foundation

/// A streaming replica of the shared primary that belongs to one run: `pg_basebackup -R` into
/// a temporary directory, started on a free loopback port (as `scripts/dev-services` makes the
/// dev replica), so a fault may stop and start it without touching the shared replica.
/// ``remove()`` stops it and deletes its data.
///
/// PostgreSQL refuses to run as root: as root, every PostgreSQL command runs as the
/// `postgres` user (`runuser -u postgres --`), which must exist (the dev services create it).
public final class PrivateReplica: Sendable {
    public let port: Int
    public let directory: String
    let binaries: String
    let logPath: String

    /// Copies the primary at `primaryHost:primaryPort` (as `user`, who needs the replication
    /// privilege) and starts the copy as a hot standby.
    public static func start(primaryHost: String, primaryPort: Int, user: String = "postgres", logDirectory: String) async throws -> PrivateReplica {
        let port = try freeLoopbackPort()
        let directory = NSTemporaryDirectory() + "lab-replica-\(port)-\(UInt32.random(in: 0...UInt32.max))"
        let replica = PrivateReplica(port: port, directory: directory, logPath: logDirectory + "/replica.log")
        do {
            try await replica.create(primaryHost: primaryHost, primaryPort: primaryPort, user: user)
            try await replica.start()
        } catch {
            await replica.remove()
            throw error
        }
        return replica
    }

    init(port: Int, directory: String, logPath: String) {
        self.port = port
        self.directory = directory
        self.logPath = logPath
        binaries = ProcessInfo.processInfo.environment["PGBIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    /// `postgresql://<user>@127.0.0.1:<port>/<database>`.
    public func url(user: String, database: String) -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)"
    }

    func create(primaryHost: String, primaryPort: Int, user: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if getuid() == 0 {
            try await run("/bin/chown", ["postgres", directory], as: nil, timeout: .seconds(10))
        }
        try await run(
            binaries + "/pg_basebackup",
            ["-h", primaryHost, "-p", "\(primaryPort)", "-U", user, "-D", directory, "-R", "-X", "stream", "-c", "fast"],
            timeout: .seconds(300)
        )
        // Later lines of postgresql.auto.conf win over postgresql.conf copied from the primary.
        let settings = """
            # private replica of a lab run
            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(directory)'
            logging_collector = off

            """
        let autoConf = directory + "/postgresql.auto.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: autoConf))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
    }

    /// `pg_ctl start -w` (the standby catches up from the primary on its own).
    public func start() async throws {
        try await run(binaries + "/pg_ctl", ["-D", directory, "-l", directory + "/server.log", "-w", "-t", "60", "start"], timeout: .seconds(90))
    }

    /// `pg_ctl stop -m fast`; returns what was stopped.
    public func stop() async throws -> String {
        try await run(binaries + "/pg_ctl", ["-D", directory, "-m", "fast", "-w", "-t", "60", "stop"], timeout: .seconds(90))
        return "replica 127.0.0.1:\(port)"
    }

    /// Stops it (immediately) and deletes its data.
    public func remove() async {
        if FileManager.default.fileExists(atPath: directory + "/postmaster.pid") {
            _ = try? await run(binaries + "/pg_ctl", ["-D", directory, "-m", "immediate", "-w", "stop"], timeout: .seconds(60))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a PostgreSQL tool (as `postgres` when we are root) to completion.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], as user: String? = "postgres", timeout: Duration) async throws -> Int32 {
        let (program, full) =
            getuid() == 0 && user != nil
            ? ("/usr/sbin/runuser", ["-u", user ?? "postgres", "--", executable] + arguments)
            : (executable, arguments)
        let status = try await ChildProcess.run(executable: program, arguments: full, logPath: logPath, timeout: timeout)
        guard status == 0 else {
            throw ScenarioError("\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.last ?? "") exited \(status) (see \(logPath))")
        }
        return status
    }
}
