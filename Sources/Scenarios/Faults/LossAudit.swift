/// Runs the loss check after the load: polls the provider simulator's messages and `/sync`
/// until nothing guaranteed is missing (the run has drained: outbox and queues emptied) or the
/// deadline passes, then reports what is still missing (``LossReport``).
public struct LossAudit: Sendable {
    public var api: APIClient
    public var provider: APIClient
    /// How long the queues may take to drain (a killed worker's jobs are reclaimed only after
    /// `workers.visibilityTimeoutMs`).
    public var deadline: Duration
    /// Missing best-effort items unchanged this long end the wait.
    public var settle: Duration = .seconds(5)

    public init(api: APIClient, provider: APIClient, deadline: Duration = .seconds(90)) {
        self.api = api
        self.provider = provider
        self.deadline = deadline
    }

    struct Messages: Decodable {
        var items: [LossCheck.Delivered]
    }

    public func run(_ ledger: CommitLedger) async -> LossReport {
        let clock = ContinuousClock()
        let start = clock.now
        let snapshot = ledger.snapshot
        var synced: [String: Set<Int>] = [:]
        var report = LossCheck.compare(snapshot, delivered: [], synced: synced)
        var bestEffort = (missing: -1, since: start)
        while true {
            let unsynced = snapshot.events.filter { request, events in !Set(events.keys).isSubset(of: synced[request] ?? []) }.keys
            for (request, seqs) in await sync(Array(unsynced), token: ledger.syncToken) { synced[request] = seqs }
            let delivered = await provider.get("/messages").decode(Messages.self)?.items ?? []
            report = LossCheck.compare(snapshot, delivered: delivered, synced: synced)
            if report.bestEffortMissing != bestEffort.missing { bestEffort = (report.bestEffortMissing, clock.now) }
            let settled = report.bestEffortMissing == 0 || clock.now - bestEffort.since >= settle
            if report.loss == 0 && settled { break }
            if clock.now - start >= deadline { break }
            try? await Task.sleep(for: .seconds(1))
        }
        report.drainSeconds = (clock.now - start).seconds
        report.drained = report.loss == 0
        return report
    }

    /// `GET /api/requests/:id/sync?afterSeq=0` for each request, 16 at a time.
    func sync(_ requests: [String], token: String?) async -> [String: Set<Int>] {
        var result: [String: Set<Int>] = [:]
        var index = 0
        while index < requests.count {
            let batch = requests[index..<min(index + 16, requests.count)]
            index += batch.count
            await withTaskGroup(of: (String, Set<Int>?).self) { group in
                for request in batch {
                    group.addTask {
                        let answer = await api.get("/api/requests/\(request)/sync?afterSeq=0", token: token)
                        return (request, answer.decode(SyncResponse.self).map { Set($0.missedEvents.map(\.seq)) })
                    }
                }
                for await (request, seqs) in group {
                    if let seqs { result[request] = seqs }
                }
            }
        }
        return result
    }
}
