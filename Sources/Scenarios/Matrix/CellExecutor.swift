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
        let coordinator = MeasurementCoordinator(search: search, load: load, apis: apis, scraper: scraper, sampler: sampler)
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
        let result: Result<ScenarioOutcome, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await coordinator.runTicker() }
            defer { group.cancelAll() }
            do {
                return .success(try await scenario.run(context))
            } catch {
                return .failure(error)
            }
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
        sampler?.close()
        for api in apis { await api.shutdown() }
        await providerAPI.shutdown()
        for api in metricsAPIs { await api.shutdown() }
        return measurement
    }
}
