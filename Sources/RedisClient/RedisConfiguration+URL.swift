/// Why a Redis URL was rejected. The description names the part that is wrong and never
/// repeats a password.
public struct RedisURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `port "abc" is not a number between 1 and 65535`.
    public let reason: String

    public var description: String {
        "invalid Redis URL: \(reason) (expected redis://[[user]:password@]host[:port][/db])"
    }
}

extension RedisConfiguration {
    /// Parses `redis://[[user]:password@]host[:port][/db]`; other fields keep their defaults.
    ///
    /// A missing port means `6379`, the standard one; a missing database means `0`. IPv6 hosts
    /// go in brackets (`redis://[::1]:6379`). User and password may be percent-encoded.
    /// - Throws: ``RedisURLError`` naming the part that is wrong.
    public init(url: String) throws {
        self.init()
        let schemeEnd = url.firstRange(of: "://")
        guard let schemeEnd, url[..<schemeEnd.lowerBound].lowercased() == "redis" else {
            throw RedisURLError(reason: "scheme must be redis://")
        }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw RedisURLError(reason: "query parameters and fragments are not supported")
        }

        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = userInfo[..<colon]
                username = user.isEmpty ? nil : try Self.percentDecoded(user, part: "user name")
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], part: "password")
            } else if !userInfo.isEmpty {
                username = try Self.percentDecoded(userInfo, part: "user name")
            }
        }

        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw RedisURLError(reason: "IPv6 host is missing its closing \"]\"")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisURLError(reason: "unexpected \"\(after)\" after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw RedisURLError(reason: "host is missing") }

        port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisURLError(reason: "port \"\(portText)\" is not a number between 1 and 65535")
            }
            port = value
        }

        database = 0
        if !path.isEmpty {
            guard let value = Int(path), value >= 0 else {
                throw RedisURLError(reason: "database \"\(path)\" is not a non-negative integer")
            }
            database = value
        }
    }

    /// Decodes `%XX` escapes; the error names the part, never its value.
    private static func percentDecoded(_ text: Substring, part: String) throws -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                throw RedisURLError(reason: "\(part) has an invalid percent-escape")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
