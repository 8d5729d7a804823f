import Foundation

/// One `exchange-server` (plus its provider simulator) started for a cell, and stopped after it.
public struct ServerInstance: Sendable {
    public let binary: String
    public let configPath: String
    public let port: Int
    public let baseURL: String
    public let logDirectory: String

    /// Environment variables that would override what the runner sets per cell in the config
    /// file (the server reads `EXCHANGE_*` after the file): a cell's own database, Redis
    /// namespace, port and provider must win over whatever the shell exported.
    public static let cellOwnedEnvironment: Set<String> = [
        "EXCHANGE_REDIS_KEY_PREFIX", "EXCHANGE_DB_PRIMARY_URL", "EXCHANGE_DB_REPLICA_URL", "EXCHANGE_HTTP_PORT", "EXCHANGE_PROVIDER_URL",
    ]

    /// What the server's processes must not inherit (``cellOwnedEnvironment`` plus the
    /// variables of services the cell owns).
    public var unsetting: Set<String> = ServerInstance.cellOwnedEnvironment

    public init(binary: String, configPath: String, port: Int, logDirectory: String) {
        self.binary = binary
        self.configPath = configPath
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        self.logDirectory = logDirectory
    }

    /// `exchange-server migrate --config F`.
    public func migrate() async throws {
        let status = try await ChildProcess.run(
            executable: binary,
            arguments: ["migrate", "--config", configPath],
            logPath: logDirectory + "/migrate.log",
            timeout: .seconds(120),
            unsetting: unsetting
        )
        guard status == 0 else { throw ScenarioError("exchange-server migrate exited \(status) (see \(logDirectory)/migrate.log)") }
    }

    /// `exchange-server grant-operator PHONE --config F`.
    public func grantOperator(_ phone: String) async throws {
        let status = try await ChildProcess.run(
            executable: binary,
            arguments: ["grant-operator", phone, "--config", configPath],
            logPath: logDirectory + "/grant-operator.log",
            timeout: .seconds(60),
            unsetting: unsetting
        )
        guard status == 0 else {
            throw ScenarioError("exchange-server grant-operator exited \(status) (see \(logDirectory)/grant-operator.log)")
        }
    }

    /// `exchange-server serve --config F`, then waits for `GET /ready` 200.
    public func start(logName: String, readyTimeout: Duration = .seconds(60)) async throws -> ChildProcess {
        try requireFreePort(port, for: "exchange-server")
        let child = try ChildProcess(
            executable: binary,
            arguments: ["serve", "--config", configPath],
            logPath: logDirectory + "/" + logName,
            unsetting: unsetting
        )
        switch await pollUntilAnswering(child: child, url: baseURL + "/ready", timeout: readyTimeout) {
        case .ready:
            return child
        case .exited(let status):
            throw ScenarioError("exchange-server exited \(status) before it was ready (see \(logDirectory)/\(logName))")
        case .timedOut:
            await child.stop()
            throw ScenarioError("exchange-server was not ready within \(readyTimeout) (see \(logDirectory)/\(logName))")
        }
    }
}

/// Starts `scenarios provider --port P` as a child process and waits until it answers.
public func startProvider(
    executable: String,
    port: Int,
    settings: MatrixSpec.ProviderSettings = .init(),
    logPath: String,
    timeout: Duration = .seconds(20)
) async throws -> ChildProcess {
    try requireFreePort(port, for: "provider simulator")
    let child = try ChildProcess(executable: executable, arguments: ["provider", "--port", "\(port)"] + settings.arguments, logPath: logPath)
    let url = "http://127.0.0.1:\(port)/messages?kind=sms&to=%2B10000000000"
    switch await pollUntilAnswering(child: child, url: url, timeout: timeout) {
    case .ready:
        return child
    case .exited(let status):
        throw ScenarioError("provider simulator exited \(status) at start (see \(logPath))")
    case .timedOut:
        await child.stop()
        throw ScenarioError("provider simulator did not answer within \(timeout) (see \(logPath))")
    }
}

/// Refuses to start a child on a port another process listens on: the child would fail to
/// bind, but the readiness poll would get its 200 from the other process, and the cell would
/// run against a server that is not its own (it happened: a server left running on a cell's
/// port made `gate` sign operators in on the wrong database).
func requireFreePort(_ port: Int, for child: String) throws {
    guard loopbackPortIsFree(port) else {
        throw ScenarioError(
            "127.0.0.1:\(port) is taken by another process, so the cell's \(child) cannot listen there "
                + "(`ss -ltnp 'sport = :\(port)'` names it): stop it, or change the matrix's \"ports\""
        )
    }
}

enum Readiness {
    case ready
    case exited(Int32)
    case timedOut
}

/// Polls `url` until it answers 200, the child exits, or `timeout` passes.
func pollUntilAnswering(child: ChildProcess, url: String, timeout: Duration) async -> Readiness {
    let api = APIClient(baseURL: "", connections: 1, timeout: .seconds(2))
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var result = Readiness.timedOut
    while clock.now < deadline {
        if let status = child.exited {
            result = .exited(status)
            break
        }
        if await api.get(url).status == 200 {
            result = .ready
            break
        }
        try? await Task.sleep(for: .milliseconds(150))
    }
    await api.shutdown()
    return result
}
