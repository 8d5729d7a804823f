/// One reply from Redis (RESP2), decoded from a hiredis `redisReply`.
///
/// hiredis 0.14 reports a nil bulk string and a nil array with the same reply type, so both
/// arrive here as ``null``.
public enum RedisValue: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// An error reply nested inside an array (e.g. one failed command of `EXEC`). A top-level
    /// error reply is thrown as ``RedisError/commandFailed(_:)`` instead.
    case error(String)
    /// An integer reply.
    case integer(Int)
    /// A bulk string: arbitrary bytes.
    case bulk([UInt8])
    /// A multi-bulk reply.
    case array([RedisValue])
    /// A nil bulk string or nil array (a missing key, a `BLOCK` that timed out).
    case null
}

extension RedisValue {
    /// The text of a simple string, bulk string (decoded as UTF-8), error, or integer (in
    /// decimal); `nil` for arrays and nil.
    public var string: String? {
        switch self {
        case .simpleString(let s), .error(let s): s
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let i): String(i)
        case .array, .null: nil
        }
    }

    /// The bytes of a bulk or simple string; `nil` otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .simpleString(let s): Array(s.utf8)
        default: nil
        }
    }

    /// An integer reply, or a string reply holding a decimal integer; `nil` otherwise.
    public var int: Int? {
        switch self {
        case .integer(let i): i
        case .bulk, .simpleString: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array reply; `nil` otherwise.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// Whether this is the nil reply.
    public var isNull: Bool {
        self == .null
    }
}

extension RedisValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .simpleString(let s): "+\(s)"
        case .error(let s): "-\(s)"
        case .integer(let i): ":\(i)"
        case .bulk(let bytes): bytes.count > 64 ? "$<\(bytes.count) bytes>" : "$\(String(decoding: bytes, as: UTF8.self))"
        case .array(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
        case .null: "(nil)"
        }
    }
}
