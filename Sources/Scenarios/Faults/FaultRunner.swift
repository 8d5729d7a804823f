import Synchronization

/// Plays a run's fault schedule against a ``FaultTarget`` once the measured phase starts,
/// and records what happened (``FaultEvent``), on the same clock as the operations' outcomes.
public final class FaultRunner: Sendable {
    public let faults: [FaultSpec]
    let target: any FaultTarget
    let clock = ContinuousClock()
    private let origin = Mutex<ContinuousClock.Instant?>(nil)
    private let recorded = Mutex<[Int: FaultEvent]>([:])

    public init(faults: [FaultSpec], target: any FaultTarget) {
        self.faults = faults
        self.target = target
    }

    /// The instant the measured phase started (nil before).
    public var measureStart: ContinuousClock.Instant? { origin.withLock { $0 } }

    /// What happened, in the order of the faults.
    public var events: [FaultEvent] {
        recorded.withLock { events in events.keys.sorted().compactMap { events[$0] } }
    }

    /// Runs the schedule from `start` (the measured phase's start) until done or cancelled.
    /// A heal still runs when cancelled, so nothing stays broken.
    public func run(from start: ContinuousClock.Instant) async {
        origin.withLock { $0 = start }
        func now() -> Double { (clock.now - start).seconds }
        var pendingHeals: Set<Int> = []
        for step in FaultSchedule.steps(faults) {
            let due = start.advanced(by: .milliseconds(Int64(step.at * 1000)))
            if case .inject = step.action, Task.isCancelled { break }
            try? await clock.sleep(until: due, tolerance: .milliseconds(10))
            switch step.action {
            case .inject(let index):
                let spec = faults[index]
                let started = now()
                var event = FaultEvent(spec: spec, started: started, ended: started, target: "")
                do {
                    event.target = try await target.inject(spec.kind)
                    if spec.kind.lasts { pendingHeals.insert(index) }
                } catch {
                    event.error = "inject: \(error)"
                }
                recorded.withLock { $0[index] = event }
            case .heal(let index):
                guard pendingHeals.remove(index) != nil else { continue }
                await heal(index, at: now)
            }
        }
        for index in pendingHeals.sorted() { await heal(index, at: now) }
    }

    private func heal(_ index: Int, at now: () -> Double) async {
        let kind = faults[index].kind
        let ended = now()
        var error: String?
        var healed: Double?
        do {
            try await target.heal(kind)
            try await target.awaitHealed(kind)
            healed = now()
        } catch let failure {
            error = "heal: \(failure)"
        }
        recorded.withLock { events in
            events[index]?.ended = ended
            events[index]?.healed = healed
            if let error { events[index]?.error = error }
        }
    }
}
