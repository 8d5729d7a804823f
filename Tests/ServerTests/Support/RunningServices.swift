import Logging
import ServiceLifecycle

/// Runs `services` in a service group while `body` runs, then shuts them down gracefully (as
/// SIGTERM does in production) and waits for them to finish — whether `body` threw or not.
///
/// Cancelling a running Hummingbird server instead closes its listening channel twice (the
/// cancelled accept loop and the graceful-shutdown handler both close it), which logs
/// `Server shutdown error: Already closed` at error level. `onEnded` runs once the group has
/// finished (e.g. to end a stream a caller waits on for the bound port).
func withRunningServices<T: Sendable>(
    _ services: [any Service],
    logger: Logger,
    onEnded: @escaping @Sendable () -> Void = {},
    _ body: () async throws -> T
) async throws -> T {
    var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [], logger: logger)
    // A test that leaves a connection open must not hang the run: after this, the group cancels.
    configuration.maximumGracefulShutdownDuration = .seconds(10)
    let group = ServiceGroup(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { onEnded() }
            try await group.run()
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        do {
            try await tasks.waitForAll()
        } catch {
            // The body's own failure is the more useful one to report.
            if case .success = result { throw error }
        }
        return try result.get()
    }
}
