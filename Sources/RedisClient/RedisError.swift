/// Everything the Redis client throws. ``code`` is stable and meant for metrics, logs and
/// mapping to API errors; descriptions never contain credentials.
public enum RedisError: Error, Sendable, Hashable {
    /// No connection could be made or an established one broke (refused, reset, closed by the
    /// server, authentication failed). The command may or may not have run if it was already sent.
    case connectionFailed(String)
    /// Redis answered with an error reply, e.g. `WRONGTYPE …` or `NOSCRIPT …`.
    case commandFailed(String)
    /// No reply arrived within the command timeout. The connection is dropped and re-established
    /// by the next command.
    case timeout
    /// The reply had a shape the typed helper didn't expect.
    case unexpectedReply(String)
    /// The client, connection or subscriber has been shut down.
    case closed

    /// A stable identifier: `connection_failed`, `command_failed`, `timeout`,
    /// `unexpected_reply` or `closed`.
    public var code: String {
        switch self {
        case .connectionFailed: "connection_failed"
        case .commandFailed: "command_failed"
        case .timeout: "timeout"
        case .unexpectedReply: "unexpected_reply"
        case .closed: "closed"
        }
    }

    /// For ``commandFailed(_:)``: the error-reply prefix such as `WRONGTYPE`, `NOSCRIPT` or
    /// `BUSYGROUP`; `nil` for other cases.
    public var replyPrefix: String? {
        guard case .commandFailed(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectionFailed(let reason): "redis connection failed: \(reason)"
        case .commandFailed(let message): "redis command failed: \(message)"
        case .timeout: "redis command timed out"
        case .unexpectedReply(let what): "unexpected redis reply: \(what)"
        case .closed: "redis client is closed"
        }
    }
}
