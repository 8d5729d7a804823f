import ServiceLifecycle

/// Measures replica lag periodically so routing decisions never wait on a probe.
struct ReplicaMonitor: Service {
    let database: Database
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await database.measureReplicaLag()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
