/// What one server instance of a multi-instance cell served over the whole cell (sign-in,
/// warm-up and every step), read from its own `/metrics` before it stopped.
public struct InstanceShare: Codable, Sendable, Equatable {
    public var index: Int
    public var url: String
    /// `http_server_request_duration_seconds` count (every route and status).
    public var httpRequests: Double
    /// `ws_delivery_lag_seconds` count: events this instance pushed to its WebSocket clients.
    public var wsDeliveries: Double
    /// `exchange_transitions_total`: transitions this instance performed.
    public var transitions: Double

    public init(index: Int, url: String, httpRequests: Double, wsDeliveries: Double, transitions: Double) {
        self.index = index
        self.url = url
        self.httpRequests = httpRequests
        self.wsDeliveries = wsDeliveries
        self.transitions = transitions
    }

    /// The counts from one instance's scrape.
    public init(index: Int, url: String, scrape: PrometheusScrape) {
        func total(_ name: String) -> Double { scrape.samples(named: name).reduce(0) { $0 + $1.value } }
        self.init(
            index: index,
            url: url,
            httpRequests: total("http_server_request_duration_seconds_count"),
            wsDeliveries: total("ws_delivery_lag_seconds_count"),
            transitions: total("exchange_transitions_total")
        )
    }
}
