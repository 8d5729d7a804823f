/// The offered load of one run: arrival rate and process, warm-up and measured duration.
public struct LoadSpec: Codable, Sendable, Equatable {
    /// Arrivals per second of the scenario's primary operation.
    public var rate: Double
    /// Measured seconds.
    public var duration: Double
    /// Seconds of the same load before measuring (not recorded).
    public var warmup: Double
    public var arrival: ArrivalProcess
    /// Operations allowed in flight before the engine drops arrivals (and says so).
    public var maxInFlight: Int
    public var seed: UInt64

    public init(
        rate: Double = 10,
        duration: Double = 20,
        warmup: Double = 3,
        arrival: ArrivalProcess = .poisson,
        maxInFlight: Int = 5_000,
        seed: UInt64 = 42
    ) {
        self.rate = rate
        self.duration = duration
        self.warmup = warmup
        self.arrival = arrival
        self.maxInFlight = maxInFlight
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case rate, duration, warmup, arrival, maxInFlight, seed
    }

    public init(from decoder: any Decoder) throws {
        let defaults = LoadSpec()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rate = try container.decodeIfPresent(Double.self, forKey: .rate) ?? defaults.rate
        duration = try container.decodeIfPresent(Double.self, forKey: .duration) ?? defaults.duration
        warmup = try container.decodeIfPresent(Double.self, forKey: .warmup) ?? defaults.warmup
        arrival = try container.decodeIfPresent(ArrivalProcess.self, forKey: .arrival) ?? defaults.arrival
        maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight) ?? defaults.maxInFlight
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    }

    /// Users needed so nobody exceeds `perUserPerMinute` creations in any minute (with margin).
    public func usersNeeded(perUserPerMinute: Int = 8, ratePerArrival: Double = 1) -> Int {
        let window = min(warmup + duration, 60)
        return max(1, Int((rate * ratePerArrival * window / Double(max(perUserPerMinute, 1))).rounded(.up)) + 1)
    }
}
