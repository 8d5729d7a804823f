import ServiceLifecycle

/// Runs ``Readiness/check()`` every ``Readiness/interval`` in the background, so the readiness
/// gauges and their last-success timestamps move whether or not anyone calls `GET /ready`.
public struct ReadinessMonitor: Service {
    let readiness: Readiness

    public init(readiness: Readiness) {
        self.readiness = readiness
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            _ = await readiness.check()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Readiness.interval) }
        }
        await readiness.close()
    }
}
