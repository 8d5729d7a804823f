import Logging
import Profiler
import Synchronization

/// What a cell measured besides its report: the histograms behind the summary (of the chosen
/// step's window) and the one-second intervals of the whole measured phase.
public struct CellMeasurement: Sendable {
    /// Successes only.
    public var histograms: [String: LatencyHistogram] = [:]
    /// Every outcome.
    public var allOutcomes: [String: LatencyHistogram] = [:]
    public var intervals: [IntervalSlice] = []
    /// When the cell started, seconds since 1970.
    public var startedAt: Double = 0

    /// Every outcome's latencies when they were recorded (timeouts with the time they took),
    /// else the successful ones: what budgets and repeat merges judge.
    public var judged: [String: LatencyHistogram] { allOutcomes.isEmpty ? histograms : allOutcomes }

    public init(
        histograms: [String: LatencyHistogram] = [:],
        allOutcomes: [String: LatencyHistogram] = [:],
        intervals: [IntervalSlice] = [],
        startedAt: Double = 0
    ) {
        self.histograms = histograms
        self.allOutcomes = allOutcomes
        self.intervals = intervals
        self.startedAt = startedAt
    }
}

/// Runs one scenario against a running server and provider: one fixed step, or a capacity
/// search when `search` is set. A ``MeasurementCoordinator`` scrapes `/metrics` at each step's
/// start and end; the cell's report takes the chosen step's window.
public struct CellExecutor: Sendable {
    public var baseURL: String
    /// Every server instance of the cell, `baseURL` first (users are spread over them).
    public var baseURLs: [String]
    public var providerURL: String
    public var grantOperator: OperatorGranter
    public var status: LiveStatus
    public var phones: PhoneBook
    public var search: SearchSpec?
    /// Where to read `pg_stat_activity` and the server's pid (nil: no resource sampling).
    public var resources: ResourceSampler.Target?
    /// A request unanswered after this is a `transport_timeout` (recorded with its elapsed time).
    public var requestTimeout: Duration = .seconds(30)
    /// Faults played during the measured phase, against `faultTarget`.
    public var faults: [FaultSpec] = []
    public var faultTarget: (any FaultTarget)?
    /// How long the loss check waits for the queues to drain.
    public var drainDeadline: Duration = .seconds(90)

    public init(
        baseURL: String,
        providerURL: String,
        grantOperator: @escaping OperatorGranter,
        status: LiveStatus,
        phones: PhoneBook = PhoneBook(),
        search: SearchSpec? = nil,
        resources: ResourceSampler.Target? = nil
    ) {
        self.baseURL = baseURL
        self.baseURLs = [baseURL]
        self.providerURL = providerURL
        self.grantOperator = grantOperator
        self.status = status
        self.phones = phones
        self.search = search
        self.resources = resources
    }

    public func execute(_ scenario: any Scenario, options: ScenarioOptions, cell: inout CellReport) async -> CellMeasurement {
        let load = cell.load
        let peakRate = search.map { $0.maxRate < 100_000 ? $0.maxRate : 2000 } ?? load.rate
        let connections = min(1024, max(64, Int(peakRate * 2)))
        let urls = baseURLs.isEmpty ? [baseURL] : baseURLs
        let apis = urls.map { APIClient(baseURL: $0, connections: connections, timeout: .milliseconds(Int64(requestTimeout.seconds * 1000))) }
        let api = apis[0]
        let providerAPI = APIClient(baseURL: providerURL, connections: 16)
        let metricsAPIs = urls.map { APIClient(baseURL: $0, connections: 2, timeout: .seconds(5)) }
        let scraper = MetricsScraper(apis: metricsAPIs)
        let sampler = resources.map { ResourceSampler(target: $0) }
        let coordinator = MeasurementCoordinator(
            search: search,
            load: load,
            apis: apis,
            scraper: scraper,
            sampler: sampler,
            keepsTimelines: !faults.isEmpty
        )
        let faultRunner = faultTarget.map { FaultRunner(faults: faults, target: $0) }
        let ledger = !faults.isEmpty || options.bool("checkLoss", default: false) ? CommitLedger() : nil
        var context = ScenarioContext(
            baseURL: baseURL,
            load: load,
            options: options,
            api: api,
            provider: ProviderClient(api: providerAPI),
            grantOperator: grantOperator,
            status: status,
            phones: phones
        )
        context.coordinator = coordinator
        context.router = InstanceRouter(baseURLs: urls, apis: apis)
        context.ledger = ledger
        let (measureStarts, measureStarted) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        context.onMeasureStart = { _ = measureStarted.yield(.now) }
        let result: Result<ScenarioOutcome, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await coordinator.runTicker() }
            defer { group.cancelAll() }
            // Faults start with the measured phase; they all end within it (validated).
            async let faultsPlayed: Void = {
                for await start in measureStarts {
                    await faultRunner?.run(from: start)
                    break
                }
            }()
            let outcome: Result<ScenarioOutcome, any Error>
            do {
                outcome = .success(try await scenario.run(context))
            } catch {
                outcome = .failure(error)
            }
            measureStarted.finish()
            await faultsPlayed
            return outcome
        }
        var measurement = CellMeasurement(intervals: coordinator.intervals, startedAt: coordinator.startedAtEpoch)
        switch result {
        case .success(let outcome):
            cell.apply(outcome)
            let records = coordinator.steps
            var chosen = records.last
            if let search {
                let steps = records.map(\.step)
                let rate = steps.filter(\.met).map(\.offeredRate).max()
                let (limitedBy, evidence) = LimitDiagnosis.diagnose(steps: steps, search: search)
                cell.capacity = Capacity(rate: rate, limitedBy: limitedBy, evidence: evidence, search: search, steps: steps)
                if let rate { chosen = records.first { $0.step.met && $0.step.offeredRate == rate } }
            }
            if let chosen {
                cell.apply(step: chosen.step, primary: outcome.primaryOperation)
                measurement.histograms = chosen.window.histograms
                measurement.allOutcomes = chosen.window.allOutcomes
            } else {
                measurement.histograms = outcome.snapshot.histograms
                measurement.allOutcomes = outcome.snapshot.allOutcomes
            }
        case .failure(let error):
            cell.failure = "\(error)"
        }
        if let faultRunner, let start = faultRunner.measureStart {
            let outcomes = coordinator.outcomes.map { OutcomePoint($0, origin: start) }
            cell.faults = FaultsReport(
                results: FaultAnalysis.analyse(events: faultRunner.events, outcomes: outcomes),
                loss: nil,
                measureStartOffset: coordinator.secondsSinceStart(start)
            )
        }
        if let ledger, cell.failure == nil {
            status.begin("loss check (drain)", recorder: nil, operation: "", expected: .seconds(10))
            let loss = await LossAudit(api: api, provider: providerAPI, deadline: drainDeadline).run(ledger)
            if cell.faults == nil { cell.faults = FaultsReport(results: [], loss: nil, measureStartOffset: 0) }
            cell.faults?.loss = loss
            cell.checks["no_loss"] = loss.loss == 0
        }
        sampler?.close()
        for api in apis { await api.shutdown() }
        await providerAPI.shutdown()
        for api in metricsAPIs { await api.shutdown() }
        return measurement
    }
}
