import Foundation

/// One scheduled fault: `--fault KIND@SECONDS[:DURATION]`, or in a matrix file
/// `{"kind": "redis-restart", "at": 20, "duration": 5}`. `at` counts from the start of the
/// measured phase (after warm-up).
public struct FaultSpec: Codable, Sendable, Equatable {
    public var kind: FaultKind
    /// Seconds after the measured phase started.
    public var at: Double
    /// Seconds the fault lasts before it is healed (0 for `pg-terminate`).
    public var duration: Double

    public init(kind: FaultKind, at: Double, duration: Double? = nil) {
        self.kind = kind
        self.at = at
        self.duration = kind.lasts ? (duration ?? kind.defaultDuration) : 0
    }

    enum CodingKeys: String, CodingKey {
        case kind, at, duration
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .kind)
        guard let kind = FaultKind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: Self.unknownKind(name))
        }
        self.init(
            kind: kind,
            at: try container.decode(Double.self, forKey: .at),
            duration: try container.decodeIfPresent(Double.self, forKey: .duration)
        )
        try validate()
    }

    /// Parses `KIND@SECONDS[:DURATION]`, e.g. `redis-restart@10:5` or `pg-terminate@15`.
    public init(parsing text: String) throws {
        guard let at = text.firstIndex(of: "@") else {
            throw ScenarioError("--fault expects KIND@SECONDS[:DURATION], got \"\(text)\"")
        }
        let name = String(text[..<at])
        guard let kind = FaultKind(rawValue: name) else { throw ScenarioError(Self.unknownKind(name)) }
        let timing = text[text.index(after: at)...].split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(timing.count), let start = Double(timing[0]) else {
            throw ScenarioError("--fault \(text): expected SECONDS[:DURATION] after @")
        }
        var duration: Double?
        if timing.count == 2 {
            guard let value = Double(timing[1]) else { throw ScenarioError("--fault \(text): DURATION must be a number of seconds") }
            guard kind.lasts || value == 0 else { throw ScenarioError("--fault \(text): \(kind.rawValue) happens once and takes no duration") }
            duration = value
        }
        self.init(kind: kind, at: start, duration: duration)
        try validate()
    }

    /// `at` ≥ 0, a lasting fault lasts > 0 s.
    public func validate() throws {
        guard at >= 0, at.isFinite else { throw ScenarioError("fault \(kind.rawValue): at must be ≥ 0 seconds") }
        guard !kind.lasts || (duration > 0 && duration.isFinite) else {
            throw ScenarioError("fault \(kind.rawValue): duration must be > 0 seconds")
        }
    }

    /// `redis-restart@10:5`.
    public var description: String {
        kind.lasts ? "\(kind.rawValue)@\(formatSeconds(at)):\(formatSeconds(duration))" : "\(kind.rawValue)@\(formatSeconds(at))"
    }

    /// Seconds after the measured phase started when the fault is healed.
    public var end: Double { at + duration }

    static func unknownKind(_ name: String) -> String {
        "unknown fault kind \"\(name)\" (one of \(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// `10`, `2.5`.
func formatSeconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
}

extension Array where Element == FaultSpec {
    /// Faults of one run must not overlap (each one's effect is measured on its own), and
    /// must end within the measured phase of `seconds`.
    public func validate(measuredSeconds seconds: Double) throws {
        for fault in self { try fault.validate() }
        let ordered = sorted { $0.at < $1.at }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.at < earlier.end {
            throw ScenarioError("faults \(earlier.description) and \(later.description) overlap")
        }
        if let last = ordered.max(by: { $0.end < $1.end }), last.end >= seconds {
            throw ScenarioError(
                "fault \(last.description) ends at \(formatSeconds(last.end)) s, not before the measured phase ends (\(formatSeconds(seconds)) s)"
            )
        }
    }
}
