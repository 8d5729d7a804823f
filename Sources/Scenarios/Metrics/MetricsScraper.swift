import Dispatch
import Synchronization

/// Scrapes `GET /metrics` before, periodically during, and after a measured run. With several
/// server instances it scrapes each and adds them up (``PrometheusScrape/summed(_:)``), so
/// the cell's server metrics describe the whole deployment.
public final class MetricsScraper: Sendable {
    let apis: [APIClient]
    private let during = Mutex<[PrometheusScrape]>([])

    public init(api: APIClient) {
        self.apis = [api]
    }

    public init(apis: [APIClient]) {
        self.apis = apis
    }

    /// Families the lab reads (`_bucket`/`_sum`/`_count` included); the rest is skipped unparsed.
    static let watchedFamilies: [String] = ServerMetrics.histogramFamilies + ServerMetrics.gaugeFamilies + ServerMetrics.counterFamilies

    /// Scrapes and parses the watched families. Parsing a large exposition takes milliseconds
    /// of CPU, so it runs on a Dispatch thread, never on the Swift concurrency pool where the
    /// load engine dispatches its arrivals.
    public func scrape() async -> Result<PrometheusScrape, ScenarioError> {
        var scrapes: [PrometheusScrape] = []
        for api in apis {
            switch await scrape(api) {
            case .success(let scrape): scrapes.append(scrape)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(scrapes.count == 1 ? scrapes[0] : PrometheusScrape.summed(scrapes))
    }

    /// Scrapes one instance.
    func scrape(_ api: APIClient) async -> Result<PrometheusScrape, ScenarioError> {
        let answer = await api.get("/metrics")
        guard answer.isSuccess else {
            return .failure(ScenarioError("GET /metrics answered \(answer.errorCode ?? "?")"))
        }
        let body = answer.body
        let scrape = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                let text = String(decoding: body, as: UTF8.self)
                continuation.resume(returning: PrometheusScrape.parse(text, families: Self.watchedFamilies))
            }
        }
        return .success(scrape)
    }

    /// Samples every `interval` until cancelled.
    public func sample(every interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            if case .success(let scrape) = await scrape() {
                during.withLock { $0.append(scrape) }
            }
        }
    }

    public var samples: [PrometheusScrape] { during.withLock { $0 } }
}
