import Synchronization

/// Scrapes `GET /metrics` before, periodically during, and after a measured run.
public final class MetricsScraper: Sendable {
    let api: APIClient
    private let during = Mutex<[PrometheusScrape]>([])

    public init(api: APIClient) {
        self.api = api
    }

    public func scrape() async -> Result<PrometheusScrape, ScenarioError> {
        let answer = await api.get("/metrics")
        guard answer.isSuccess else {
            return .failure(ScenarioError("GET /metrics answered \(answer.errorCode ?? "?")"))
        }
        return .success(PrometheusScrape.parse(String(decoding: answer.body, as: UTF8.self)))
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
