import WireJSON

/// Scenario-specific knobs (`operators`, `providerLatencyMs`, …) with defaults at the use site.
public struct ScenarioOptions: Codable, Sendable, Equatable {
    public var values: [String: JSON]

    public init(_ values: [String: JSON] = [:]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: JSON].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// A number, or a string holding one (options given on the command line arrive as text).
    public func double(_ key: String, default fallback: Double) -> Double {
        values[key]?.doubleValue ?? values[key]?.stringValue.flatMap(Double.init) ?? fallback
    }

    public func int(_ key: String, default fallback: Int) -> Int {
        Int(exactly: double(key, default: Double(fallback)).rounded(.towardZero)) ?? fallback
    }

    public func bool(_ key: String, default fallback: Bool) -> Bool {
        values[key]?.boolValue ?? fallback
    }

    public func string(_ key: String, default fallback: String) -> String {
        values[key]?.stringValue ?? fallback
    }

    public func merged(with other: ScenarioOptions) -> ScenarioOptions {
        ScenarioOptions(values.merging(other.values) { _, new in new })
    }
}
