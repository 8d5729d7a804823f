import Foundation
import RedisClient

/// A Redis of the run's own, on a free loopback port with its data under a temporary
/// directory (append-only file on, like the dev services), so a fault may stop and restart it
/// without touching the shared Redis. Removed by ``remove()``.
public final class PrivateRedis: Sendable {
    public let port: Int
    public let directory: String
    let process: RestartableProcess

    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts `redis-server` (from `PATH`, or `EXCHANGE_LAB_REDIS_SERVER`) and waits for PING.
    public static func start(logDirectory: String) async throws -> PrivateRedis {
        let port = try freeLoopbackPort()
        let directory = NSTemporaryDirectory() + "lab-redis-\(port)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let redis = PrivateRedis(port: port, directory: directory, logPath: logDirectory + "/redis.log")
        do {
            try await redis.process.launch()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return redis
    }

    init(port: Int, directory: String, logPath: String) {
        self.port = port
        self.directory = directory
        let executable = ProcessInfo.processInfo.environment["EXCHANGE_LAB_REDIS_SERVER"] ?? findExecutable("redis-server") ?? "/usr/bin/redis-server"
        let arguments = [
            "--bind", "127.0.0.1", "--port", "\(port)", "--dir", directory, "--daemonize", "no",
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--maxmemory", "1gb",
            "--maxmemory-policy", "noeviction", "--protected-mode", "yes", "--logfile", "",
        ]
        process = RestartableProcess(label: "redis 127.0.0.1:\(port)") {
            let child = try ChildProcess(executable: executable, arguments: arguments, logPath: logPath)
            try await Self.awaitPong(port: port, child: child)
            return child
        }
    }

    /// Stops Redis the way an operator would (SIGTERM: it flushes its append-only file).
    public func stop() async throws -> String {
        guard let child = process.process, child.isRunning else { throw ScenarioError("\(process.label) is not running") }
        await process.stop(grace: .seconds(10))
        return "\(process.label) pid \(child.pid)"
    }

    /// Starts it again on the same port and data and waits for PING.
    public func start() async throws {
        try await process.launch()
    }

    /// Stops it and deletes its data.
    public func remove() async {
        await process.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func awaitPong(port: Int, child: ChildProcess, timeout: Duration = .seconds(30)) async throws {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.poolSize = 1
        configuration.connectTimeout = .milliseconds(500)
        let client = RedisClient(configuration: configuration)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var failure: ScenarioError? = ScenarioError("redis-server on :\(port) did not answer PING within \(timeout)")
        while clock.now < deadline {
            if let status = child.exited {
                failure = ScenarioError("redis-server exited \(status) at start")
                break
            }
            if let reply = try? await client.send(["PING"]), reply.string == "PONG" {
                failure = nil
                break
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        await client.shutdown()
        guard let failure else { return }
        await child.stop(grace: .seconds(2))
        throw failure
    }
}

/// The first `name` on `PATH` that is executable.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
