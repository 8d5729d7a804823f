import Foundation
import NIOCore
import NIOPosix
import WireJSON

/// What stands between a cell's servers and PostgreSQL: nothing, a latency relay per database
/// server (`dbRttMs`), a PgBouncer in transaction mode (`pooler: pgbouncer`), or both — then
/// the servers reach the primary through relay → PgBouncer → PostgreSQL, i.e. the pooler sits
/// next to the database and the distance is between the application and the pooler (the
/// common layout). The replica is reached directly (through its own relay with `dbRttMs`).
///
/// ``start`` launches the children and returns the configuration the servers get; ``stop``
/// ends them after the cell.
public struct CellNetwork: Sendable {
    public var config: JSON
    public var children: [ChildProcess]
    /// Process ids by role (`relay`, `pooler`), for the resource sampler.
    public var helperPIDs: [Int32: String] {
        Dictionary(uniqueKeysWithValues: children.map { ($0.pid, $0.command.contains("pgbouncer") ? "pooler" : "relay") })
    }

    /// The PgBouncer executable (Debian's package).
    public static let pgbouncerBinary = "/usr/sbin/pgbouncer"

    public static func start(
        topology: Topology,
        config: JSON,
        ports: MatrixSpec.Ports,
        directory: String,
        scenariosExecutable: String
    ) async throws -> CellNetwork {
        var network = CellNetwork(config: config, children: [])
        do {
            try await network.launch(topology: topology, ports: ports, directory: directory, scenariosExecutable: scenariosExecutable)
        } catch {
            await network.stop()
            throw error
        }
        return network
    }

    private mutating func launch(topology: Topology, ports: MatrixSpec.Ports, directory: String, scenariosExecutable: String) async throws {
        let primaryURL = config[path: "db.primary.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55432/exchange"
        let replicaURL = config[path: "db.replica.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55433/exchange"
        var primaryHop = Self.hostPort(of: primaryURL) ?? ("127.0.0.1", 55432)
        if topology.pooler == .pgbouncer {
            try await startPgBouncer(topology: topology, target: primaryHop, port: ports.pooler, directory: directory)
            primaryHop = ("127.0.0.1", ports.pooler)
            config.set(path: "db.preparedStatements", to: .bool(false))
        }
        if topology.relayed {
            try await startRelay(
                to: primaryHop,
                port: ports.relay,
                topology: topology,
                executable: scenariosExecutable,
                log: directory + "/relay-primary.log"
            )
            primaryHop = ("127.0.0.1", ports.relay)
            let replicaHop = Self.hostPort(of: replicaURL) ?? ("127.0.0.1", 55433)
            try await startRelay(
                to: replicaHop,
                port: ports.relay + 1,
                topology: topology,
                executable: scenariosExecutable,
                log: directory + "/relay-replica.log"
            )
            config.set(path: "db.replica.url", to: .string(Self.url(replicaURL, host: "127.0.0.1", port: ports.relay + 1)))
        }
        config.set(path: "db.primary.url", to: .string(Self.url(primaryURL, host: primaryHop.host, port: primaryHop.port)))
    }

    private mutating func startRelay(
        to target: (host: String, port: Int),
        port: Int,
        topology: Topology,
        executable: String,
        log: String
    ) async throws {
        let child = try ChildProcess(
            executable: executable,
            arguments: [
                "relay", "--listen", "127.0.0.1:\(port)", "--target", "\(target.host):\(target.port)",
                "--delay-ms", "\(topology.dbRttMs / 2)", "--jitter-ms", "\(topology.dbJitterMs / 2)",
            ],
            logPath: log
        )
        children.append(child)
        try await Self.waitListening(port: port, child: child, what: "latency relay", log: log)
    }

    private mutating func startPgBouncer(topology: Topology, target: (host: String, port: Int), port: Int, directory: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.pgbouncerBinary) else {
            throw ScenarioError("pooler: pgbouncer needs \(Self.pgbouncerBinary) (scripts/dev-services up --pgbouncer installs it)")
        }
        // PgBouncer refuses to run as root: as root it runs as `postgres`, which must read its files.
        let folder = NSTemporaryDirectory() + "lab-pgbouncer-\(port)-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let settings = PgBouncerConfig(
            listenPort: port,
            targetHost: target.host,
            targetPort: target.port,
            poolSize: topology.poolerPoolSize,
            statementTimeoutMs: config[path: "db.pool.statementTimeoutMs"]?.intValue ?? 5000,
            authFile: folder + "/userlist.txt"
        )
        try settings.userList.write(toFile: settings.authFile, atomically: true, encoding: .utf8)
        let iniPath = folder + "/pgbouncer.ini"
        try settings.ini.write(toFile: iniPath, atomically: true, encoding: .utf8)
        try settings.ini.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        for path in [iniPath, settings.authFile] { chmod(path, 0o644) }
        let asRoot = getuid() == 0
        let log = directory + "/pgbouncer.log"
        let child = try ChildProcess(
            executable: asRoot ? "/usr/bin/setpriv" : Self.pgbouncerBinary,
            arguments: (asRoot ? ["--reuid=postgres", "--regid=postgres", "--clear-groups", Self.pgbouncerBinary] : []) + [iniPath],
            logPath: log
        )
        children.append(child)
        try await Self.waitListening(port: port, child: child, what: "pgbouncer", log: log)
    }

    /// Stops the children (SIGTERM, SIGKILL after a timeout).
    public func stop() async {
        for child in children.reversed() { await child.stop() }
    }

    /// Waits until something accepts TCP connections on `127.0.0.1:port`.
    static func waitListening(port: Int, child: ChildProcess, what: String, log: String, timeout: Duration = .seconds(15)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let status = child.exited { throw ScenarioError("\(what) exited \(status) at start (see \(log))") }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                try? await channel.close()
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw ScenarioError("\(what) did not listen on 127.0.0.1:\(port) within \(timeout) (see \(log))")
    }

    /// `host` and `port` of a `postgresql://user@host:port/db` URL.
    static func hostPort(of url: String) -> (host: String, port: Int)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var hostPart = String(url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" })
        if let at = hostPart.lastIndex(of: "@") { hostPart = String(hostPart[hostPart.index(after: at)...]) }
        guard let colon = hostPart.lastIndex(of: ":"), let port = Int(hostPart[hostPart.index(after: colon)...]) else {
            return hostPart.isEmpty ? nil : (hostPart, 5432)
        }
        return (String(hostPart[..<colon]), port)
    }

    /// `url` with its host and port replaced (user, database and query kept).
    static func url(_ url: String, host: String, port: Int) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let hostPart = rest.prefix { $0 != "/" && $0 != "?" }
        let user = hostPart.lastIndex(of: "@").map { String(hostPart[...$0]) } ?? ""
        return String(url[..<schemeEnd.upperBound]) + user + "\(host):\(port)" + rest.dropFirst(hostPart.count)
    }
}
