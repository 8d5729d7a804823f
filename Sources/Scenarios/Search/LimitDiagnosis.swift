/// Says what limited a cell, from the first step that broke the SLO (or the last step when
/// none did), in this order:
///
/// 1. **load engine** — the step met the SLO but the engine was not trustworthy, or the engine
///    was the biggest CPU user on a saturated machine;
/// 2. **pool wait** — pool acquire p99 ≥ 25 % of the route's p99, or pool acquire timeouts;
/// 3. on a saturated machine (≥ 90 % busy): **other processes** when the cell's own used less
///    than half of the busy CPU, otherwise the biggest CPU user — **PostgreSQL CPU**,
///    **server CPU** or **Redis**;
/// 4. **PostgreSQL locks** — backends waiting on locks, LWLocks or I/O outnumber those on CPU;
/// 5. **provider** — provider calls take ≥ 50 % of the route's mean time;
/// 6. otherwise the biggest CPU user, or **unknown**.
///
/// Metrics a server doesn't expose (older servers) are skipped, never guessed.
public enum LimitDiagnosis {
    public static let poolShare = 0.25
    public static let saturatedMachine = 0.90

    public static func diagnose(steps: [CapacityStep], search: SearchSpec) -> (limitedBy: String, evidence: String) {
        guard !steps.isEmpty else { return ("unknown", "no step was measured") }
        // The first bad step above the capacity (a retried step below it doesn't count).
        let capacity = steps.filter(\.met).map(\.offeredRate).max() ?? 0
        let bad = steps.filter { !$0.met && $0.offeredRate > capacity }
        guard let step = bad.filter({ $0.phase != "retry" || bad.count == 1 }).min(by: { $0.offeredRate < $1.offeredRate }) ?? bad.first else {
            let top = steps.map(\.offeredRate).max() ?? 0
            return ("max rate", "every step met the SLO up to \(formatNumber(top))/s (search.maxRate or maxSteps reached)")
        }
        let at = "at \(formatNumber(step.offeredRate))/s"
        if !step.engine.trustworthy, step.sloMet {
            return ("load engine", "\(at) the SLO held but the engine was not trustworthy: " + step.engine.reasons.joined(separator: "; "))
        }
        let resources = step.resources
        let saturated = (resources?.machineBusy ?? 0) >= saturatedMachine
        // A shared machine: busy, but mostly with processes that are not the cell's.
        if saturated, let usage = resources, usage.cores > 0 {
            let ours = usage.coresUsed.values.reduce(0, +)
            let busyCores = usage.machineBusy * Double(usage.cores)
            if ours < 0.5 * busyCores {
                return (
                    "other processes",
                    "\(at) the machine was \(percent(usage.machineBusy)) busy but the cell's processes used only \(cores(ours)) of \(cores(busyCores)) (\(usageText(usage))): other load on the machine starved it"
                )
            }
        }
        if saturated, let top = resources?.topConsumer, top.name == "engine" {
            return (
                "load engine",
                "\(at) the machine was \(percent(resources?.machineBusy)) busy and the load engine used the most CPU (\(cores(top.cores)))"
            )
        }
        let route = step.server?.routeLatency(of: search.operation)
        let acquire = step.server?.poolAcquire("primary")
        let timeouts = step.server?.poolTimeouts("primary") ?? 0
        if timeouts > 0 {
            return ("pool wait", "\(at) \(Int(timeouts)) pool acquire timeouts on the primary pool")
        }
        if let routeP99 = route?.p99Ms, routeP99 > 0, let acquireP99 = acquire?.p99Ms, acquireP99 >= poolShare * routeP99 {
            // On a saturated machine, pool wait is only the cause when it dominates.
            if !saturated || acquireP99 >= 0.5 * routeP99 {
                return (
                    "pool wait",
                    "\(at) pool acquire p99 \(formatMillis(acquireP99)) is \(percent(acquireP99 / routeP99)) of the route's p99 \(formatMillis(routeP99))"
                )
            }
        }
        if saturated, let top = resources?.topConsumer {
            let name = ["postgres": "PostgreSQL CPU", "server": "server CPU", "redis": "Redis"][top.name] ?? top.name
            return (name, "\(at) the machine was \(percent(resources?.machineBusy)) busy; \(usageText(resources))")
        }
        if let resources, resources.postgresBlocked > max(0.5, resources.postgresOnCPU) {
            let waits = resources.postgresWaits.filter { $0.key != "CPU" }.sorted { $0.value > $1.value }.prefix(3)
                .map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", ")
            return (
                "PostgreSQL locks",
                "\(at) backends waiting (avg per sample: \(waits)) outnumber those on CPU (\(String(format: "%.1f", resources.postgresOnCPU)))"
            )
        }
        if let provider = step.server?.sideEffects, let routeMean = route?.meanMs, routeMean > 0, provider.meanMs >= 0.5 * routeMean {
            return (
                "provider",
                "\(at) provider calls average \(formatMillis(provider.meanMs)), \(percent(provider.meanMs / routeMean)) of the route's mean \(formatMillis(routeMean))"
            )
        }
        if let depth = step.server?.gaugeMax(prefix: "queue_depth", excluding: "state=\"dead\""), depth > step.offeredRate {
            return ("provider", "\(at) the job queues backed up to \(formatNumber(depth)) waiting jobs")
        }
        if !step.engine.trustworthy {
            return ("load engine", "\(at) the engine was not trustworthy: " + step.engine.reasons.joined(separator: "; "))
        }
        if let top = resources?.topConsumer {
            let name = ["postgres": "PostgreSQL CPU", "server": "server CPU", "redis": "Redis", "engine": "load engine"][top.name] ?? top.name
            return (
                name, "\(at) no resource saturated (machine \(percent(resources?.machineBusy)) busy); the biggest CPU user: \(usageText(resources))"
            )
        }
        return ("unknown", "\(at) \(step.verdict); no server or resource figures to attribute it")
    }

    static func usageText(_ usage: ResourceUsage?) -> String {
        guard let usage else { return "no CPU figures" }
        return usage.coresUsed.sorted { $0.value > $1.value }.map { "\($0.key) \(cores($0.value))" }.joined(separator: ", ")
    }

    static func cores(_ value: Double) -> String { String(format: "%.2f cores", value) }

    static func percent(_ value: Double?) -> String { "\(Int(((value ?? 0) * 100).rounded()))%" }
}
