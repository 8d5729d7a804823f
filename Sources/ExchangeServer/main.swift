import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

// Swift concurrency runs on NIO's event-loop threads instead of a pool of its own: a request's
// handler, its awaits and its response then stay on the threads that already do the socket
// I/O, saving a thread hop (a futex wake-up and a context switch) at most awaits. Blocking C
// calls never run there: libpq and hiredis own their threads (DedicatedThread). Measured in
// docs/performance.md; `EXCHANGE_GLOBAL_EXECUTOR=default` keeps Swift's own pool (to compare).
// Must happen first, on the main thread, before any task is created.
if ProcessInfo.processInfo.environment["EXCHANGE_GLOBAL_EXECUTOR"] != "default" {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}

await runCommand()

/// What `AsyncParsableCommand.main()` does, spelled out: from top-level code the call would
/// resolve to the synchronous overload.
func runCommand() async {
    do {
        var command = try ExchangeServerCommand.parseAsRoot()
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        ExchangeServerCommand.exit(withError: error)
    }
}
