import Logging
import Synchronization

/// Runs one scenario against a running server and provider, scraping `/metrics` around the
/// measured phase; fills a `CellReport` and returns the operation histograms.
public struct CellExecutor: Sendable {
    public var baseURL: String
    public var providerURL: String
    public var grantOperator: OperatorGranter
    public var status: LiveStatus
    public var phones: PhoneBook

    public init(baseURL: String, providerURL: String, grantOperator: @escaping OperatorGranter, status: LiveStatus, phones: PhoneBook = PhoneBook()) {
        self.baseURL = baseURL
        self.providerURL = providerURL
        self.grantOperator = grantOperator
        self.status = status
        self.phones = phones
    }

    private final class Before: Sendable {
        let scrape = Mutex<Result<PrometheusScrape, ScenarioError>?>(nil)
    }

    public func execute(_ scenario: any Scenario, options: ScenarioOptions, cell: inout CellReport) async -> [String: LatencyHistogram] {
        let load = cell.load
        let connections = min(1024, max(32, Int(load.rate * 2)))
        let api = APIClient(baseURL: baseURL, connections: connections)
        let providerAPI = APIClient(baseURL: providerURL, connections: 16)
        let metricsAPI = APIClient(baseURL: baseURL, connections: 2, timeout: .seconds(5))
        let scraper = MetricsScraper(api: metricsAPI)
        let before = Before()
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
        context.onMeasureStart = {
            guard before.scrape.withLock({ $0 == nil }) else { return }
            let scrape = await scraper.scrape()
            before.scrape.withLock { if $0 == nil { $0 = scrape } }
        }
        let result: Result<ScenarioOutcome, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await scraper.sample() }
            defer { group.cancelAll() }
            do {
                return .success(try await scenario.run(context))
            } catch {
                return .failure(error)
            }
        }
        var histograms: [String: LatencyHistogram] = [:]
        switch result {
        case .success(let outcome):
            cell.apply(outcome)
            histograms = outcome.snapshot.histograms
            let after = await scraper.scrape()
            switch (before.scrape.withLock { $0 }, after) {
            case (.success(let first)?, .success(let last)):
                cell.serverMetrics = ServerMetrics.between(before: first, after: last, during: scraper.samples)
            case (.failure(let error)?, _), (_, .failure(let error)):
                var metrics = ServerMetrics()
                metrics.scrapeError = error.description
                cell.serverMetrics = metrics
            case (nil, _):
                break
            }
        case .failure(let error):
            cell.failure = "\(error)"
        }
        await api.shutdown()
        await providerAPI.shutdown()
        await metricsAPI.shutdown()
        return histograms
    }
}
