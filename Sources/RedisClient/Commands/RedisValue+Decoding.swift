/// Strict accessors the typed helpers use: they throw ``RedisError/unexpectedReply(_:)``
/// naming the command instead of returning `nil`.
extension RedisValue {
    func integer(for command: String) throws -> Int {
        guard let value = int else { throw unexpected(command, "an integer") }
        return value
    }

    func text(for command: String) throws -> String {
        switch self {
        case .simpleString(let text): return text
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .integer(let value): return String(value)
        case .error, .array, .null: throw unexpected(command, "a string")
        }
    }

    func optionalText(for command: String) throws -> String? {
        isNull ? nil : try text(for: command)
    }

    func elements(for command: String) throws -> [RedisValue] {
        guard let value = array else { throw unexpected(command, "an array") }
        return value
    }

    /// A flat `[field, value, field, value, …]` array as a dictionary.
    func fieldMap(for command: String) throws -> [String: String] {
        let items = try elements(for: command)
        guard items.count.isMultiple(of: 2) else { throw unexpected(command, "an even number of elements") }
        var map: [String: String] = [:]
        map.reserveCapacity(items.count / 2)
        for index in stride(from: 0, to: items.count, by: 2) {
            map[try items[index].text(for: command)] = try items[index + 1].text(for: command)
        }
        return map
    }

    func unexpected(_ command: String, _ expected: String) -> RedisError {
        let shown = description.count > 120 ? String(description.prefix(120)) + "…" : description
        return .unexpectedReply("\(command): expected \(expected), got \(shown)")
    }
}
