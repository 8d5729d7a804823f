import ArgumentParser
import Scenarios

/// `--fault KIND@SECONDS[:DURATION]` and the setup a run with faults starts for itself.
struct FaultOptions: ParsableArguments {
    @Option(
        name: .customLong("fault"),
        help: """
            Fault during the measured phase, KIND@SECONDS[:DURATION] (repeatable): redis-restart, replica-stop, \
            worker-kill, server-kill, pg-terminate. The run then starts its own setup (see docs/lab.md).
            """
    )
    var specs: [String] = []

    @Option(help: "With --fault: server instances (consecutive ports; server-kill kills the first).")
    var instances = 1

    @Option(help: "With --fault: separate `exchange-server worker` processes (worker-kill implies 1).")
    var workerProcesses = 0

    @Flag(help: "With --fault: a private Redis for the run even when no fault needs one.")
    var ownRedis = false

    @Flag(help: "With --fault: a private streaming replica for the run even when no fault needs one.")
    var ownReplica = false

    @Option(help: "With --fault: the provider simulator's latency (ms).")
    var providerLatencyMs = 20

    @Flag(help: "With --fault: measure with a debug or stale exchange-server binary.")
    var allowStale = false

    func faults() throws -> [FaultSpec] {
        do {
            return try specs.map { try FaultSpec(parsing: $0) }
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
