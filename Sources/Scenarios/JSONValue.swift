import Foundation

/// Any JSON value, for configuration objects and scenario options whose shape the lab doesn't fix.
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
        case .string(let value): value
        case .array(let values): "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object: "{…}"
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .number(let value): value
        case .string(let value): Double(value)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value at a dotted path (`db.primary.poolSize`) inside nested objects.
    public subscript(path path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") {
            guard case .object(let object)? = current else { return nil }
            current = object[String(key)]
        }
        return current
    }

    /// Sets a value at a dotted path, creating objects on the way.
    public mutating func set(path: String, to value: JSONValue) {
        let keys = path.split(separator: ".").map(String.init)
        self = Self.setting(self, keys: keys[...], value: value)
    }

    private static func setting(_ base: JSONValue, keys: ArraySlice<String>, value: JSONValue) -> JSONValue {
        guard let key = keys.first else { return value }
        var object: [String: JSONValue] = [:]
        if case .object(let existing) = base { object = existing }
        object[key] = setting(object[key] ?? .null, keys: keys.dropFirst(), value: value)
        return .object(object)
    }

    /// Deep merge: objects merge key by key, anything else is replaced by `other`.
    public func merged(with other: JSONValue) -> JSONValue {
        guard case .object(var mine) = self, case .object(let theirs) = other else { return other }
        for (key, value) in theirs {
            mine[key] = mine[key].map { $0.merged(with: value) } ?? value
        }
        return .object(mine)
    }
}

/// Scenario-specific knobs (`operators`, `providerLatencyMs`, …) with defaults at the use site.
public struct ScenarioOptions: Codable, Sendable, Equatable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public func double(_ key: String, default fallback: Double) -> Double {
        values[key]?.doubleValue ?? fallback
    }

    public func int(_ key: String, default fallback: Int) -> Int {
        values[key]?.doubleValue.map { Int($0) } ?? fallback
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
