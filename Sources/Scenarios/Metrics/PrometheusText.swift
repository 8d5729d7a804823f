/// One sample of the Prometheus text exposition format (0.0.4).
public struct PrometheusSample: Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }

    /// `name{a="1",b="2"}` with labels sorted: a stable key for deltas.
    public var key: String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}

/// A parsed scrape: samples plus the `# TYPE` of each family.
public struct PrometheusScrape: Sendable {
    public var samples: [PrometheusSample]
    public var types: [String: String]

    public init(samples: [PrometheusSample] = [], types: [String: String] = [:]) {
        self.samples = samples
        self.types = types
    }

    public func samples(named name: String) -> [PrometheusSample] {
        samples.filter { $0.name == name }
    }

    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Parses the text format; malformed lines are skipped. With `families`, only samples whose
    /// name starts with one of them are parsed.
    public static func parse(_ text: String, families: [String]? = nil) -> PrometheusScrape {
        var scrape = PrometheusScrape()
        for rawLine in text.split(whereSeparator: \.isNewline) {
            if let families, !rawLine.hasPrefix("#"), !families.contains(where: { rawLine.hasPrefix($0) }) { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count >= 4, parts[1] == "TYPE" { scrape.types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if let sample = parseSample(line) { scrape.samples.append(sample) }
        }
        return scrape
    }

    static func parseSample(_ line: String) -> PrometheusSample? {
        var name = ""
        var labels: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " ", line[index] != "\t" {
            name.append(line[index])
            index = line.index(after: index)
        }
        guard !name.isEmpty, index < line.endIndex else { return nil }
        if line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                var key = ""
                while index < line.endIndex, line[index] != "=" {
                    if line[index] != "," && line[index] != " " { key.append(line[index]) }
                    index = line.index(after: index)
                }
                guard index < line.endIndex else { return nil }
                index = line.index(after: index)  // '='
                guard index < line.endIndex, line[index] == "\"" else { return nil }
                index = line.index(after: index)
                var value = ""
                while index < line.endIndex, line[index] != "\"" {
                    if line[index] == "\\" {
                        index = line.index(after: index)
                        guard index < line.endIndex else { return nil }
                        switch line[index] {
                        case "n": value.append("\n")
                        default: value.append(line[index])
                        }
                    } else {
                        value.append(line[index])
                    }
                    index = line.index(after: index)
                }
                guard index < line.endIndex else { return nil }
                index = line.index(after: index)  // closing quote
                labels[key] = value
                while index < line.endIndex, line[index] == "," || line[index] == " " { index = line.index(after: index) }
            }
            guard index < line.endIndex else { return nil }
            index = line.index(after: index)  // '}'
        }
        let rest = line[index...].split(separator: " ", omittingEmptySubsequences: true)
        guard let first = rest.first, let value = parseValue(String(first)) else { return nil }
        return PrometheusSample(name: name, labels: labels, value: value)
    }

    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}

extension PrometheusScrape {
    /// Several instances' scrapes as one: samples with the same name and labels add up
    /// (counters, histogram buckets, pool and connection gauges are totals over the instances),
    /// except the gauges in `maximumFamilies`, which keep the highest value.
    public static func summed(_ scrapes: [PrometheusScrape], maximumFamilies: Set<String> = ["db_replica_lag_seconds"]) -> PrometheusScrape {
        var result = PrometheusScrape()
        var index: [String: Int] = [:]
        for scrape in scrapes {
            result.types.merge(scrape.types) { first, _ in first }
            for sample in scrape.samples {
                let key = sample.key
                if let position = index[key] {
                    let current = result.samples[position].value
                    result.samples[position].value =
                        maximumFamilies.contains(sample.name) ? Swift.max(current, sample.value) : current + sample.value
                } else {
                    index[key] = result.samples.count
                    result.samples.append(sample)
                }
            }
        }
        return result
    }
}
