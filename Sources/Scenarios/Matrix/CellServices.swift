import Foundation
import WireJSON

/// What one cell owns besides its servers and provider: a private Redis and/or streaming
/// replica (``MatrixSpec/owns``) and separate worker processes (``MatrixSpec/separateWorkers``).
/// `prepare` starts the private services and points the cell's configuration at them;
/// `startWorkers` starts the workers once the configuration file is written; `stop` stops
/// and removes everything.
final class CellServices: Sendable {
    let redis: PrivateRedis?
    let replica: PrivateReplica?
    let workers: [RestartableProcess]

    init(redis: PrivateRedis? = nil, replica: PrivateReplica? = nil, workers: [RestartableProcess] = []) {
        self.redis = redis
        self.replica = replica
        self.workers = workers
    }

    /// Environment a cell's processes must not inherit when the cell owns the service.
    var ownedEnvironment: Set<String> {
        var names: Set<String> = []
        if redis != nil { names.insert("EXCHANGE_REDIS_URL") }
        if replica != nil { names.insert("EXCHANGE_DB_REPLICA_URL") }
        return names
    }

    /// Starts the private services a cell owns and rewrites `config` to use them (and its
    /// servers to leave jobs to `separateWorkers` worker processes, when > 0).
    static func prepare(owns: MatrixSpec.OwnedServices, separateWorkers: Int, config: inout JSON, directory: String) async throws -> CellServices {
        var redis: PrivateRedis?
        var replica: PrivateReplica?
        do {
            if owns.redis {
                let started = try await PrivateRedis.start(logDirectory: directory)
                redis = started
                config.set(path: "redis.url", to: .string(started.url))
            }
            if owns.replica {
                let primary = config[path: "db.primary.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55432/exchange"
                let (host, port) = hostAndPort(of: primary) ?? ("127.0.0.1", 55432)
                let started = try await PrivateReplica.start(primaryHost: host, primaryPort: port, logDirectory: directory)
                replica = started
                let current = config[path: "db.replica.url"]?.stringValue ?? "postgresql://exchange_app@127.0.0.1:55433/exchange"
                config.set(path: "db.replica.url", to: .string(replacingHost(of: current, with: "127.0.0.1:\(started.port)")))
            }
        } catch {
            await redis?.remove()
            await replica?.remove()
            throw error
        }
        if separateWorkers > 0 { config.set(path: "workers.count", to: .int(0)) }
        return CellServices(redis: redis, replica: replica)
    }

    /// Starts `count` `exchange-server worker` processes on the cell's configuration, with
    /// `perProcess` workers each, every one waited for on its `/health`.
    func withWorkers(
        count: Int,
        perProcess: Int,
        binary: String,
        configPath: String,
        directory: String,
        unsetting: Set<String>
    ) async throws -> CellServices {
        var workers: [RestartableProcess] = []
        for index in 0..<count {
            let metricsPort = try freeLoopbackPort()
            let logPath = directory + "/worker-\(index + 1).log"
            let worker = RestartableProcess(label: "worker #\(index + 1)") {
                let child = try ChildProcess(
                    executable: binary,
                    arguments: ["worker", "--config", configPath, "--metrics-port", "\(metricsPort)", "--count", "\(max(1, perProcess))"],
                    logPath: logPath,
                    unsetting: unsetting
                )
                switch await pollUntilAnswering(child: child, url: "http://127.0.0.1:\(metricsPort)/health", timeout: .seconds(60)) {
                case .ready: return child
                case .exited(let status): throw ScenarioError("exchange-server worker exited \(status) at start (see \(logPath))")
                case .timedOut:
                    await child.stop()
                    throw ScenarioError("exchange-server worker did not answer /health within 60 s (see \(logPath))")
                }
            }
            workers.append(worker)
            do {
                try await worker.launch()
            } catch {
                for started in workers { await started.stop() }
                throw error
            }
        }
        return CellServices(redis: redis, replica: replica, workers: workers)
    }

    /// Stops the workers, then removes the private replica and Redis.
    func stop() async {
        for worker in workers { await worker.stop() }
        await replica?.remove()
        await redis?.remove()
    }

    /// `host:port` of a `scheme://[user@]host:port/…` URL.
    static func hostAndPort(of url: String) -> (String, Int)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var authority = String(url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" })
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        return (String(parts[0]), port)
    }

    /// `url` with its `host[:port]` replaced (user, database and query kept).
    static func replacingHost(of url: String, with hostPort: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let user = authority.lastIndex(of: "@").map { String(authority[...$0]) } ?? ""
        return String(url[..<schemeEnd.upperBound]) + user + hostPort + String(rest.dropFirst(authority.count))
    }
}
