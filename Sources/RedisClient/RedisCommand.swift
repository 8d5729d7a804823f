/// One command ready to send: binary-safe arguments plus how long the server may block on it.
public struct RedisCommand: Sendable, Hashable {
    /// Whether Redis may hold the reply back (`BLPOP`, `XREADGROUP … BLOCK`).
    public enum Blocking: Sendable, Hashable {
        /// Replies at once; the reply must come within the command timeout.
        case none
        /// May block up to this long; the read timeout becomes command timeout + this.
        case upTo(Duration)
        /// May block forever (`BLOCK 0`); no read timeout.
        case indefinitely
    }

    /// The command name and its arguments, as bytes.
    public var arguments: [[UInt8]]
    /// How long the server may block before replying. Defaults to ``Blocking/none``.
    public var blocking: Blocking

    /// A command from text arguments, e.g. `RedisCommand(["SET", "k", "v"])`.
    public init(_ arguments: [String], blocking: Blocking = .none) {
        self.arguments = arguments.map { Array($0.utf8) }
        self.blocking = blocking
    }

    /// A command from binary arguments.
    public init(bytes arguments: [[UInt8]], blocking: Blocking = .none) {
        self.arguments = arguments
        self.blocking = blocking
    }

    /// The command name lowercased (`"get"`, `"xreadgroup"`), as reported to observers.
    public var name: String {
        guard let first = arguments.first else { return "" }
        return String(decoding: first, as: UTF8.self).lowercased()
    }
}

/// Called after every command with its lowercased name, how long the caller waited (queueing
/// included) and whether it succeeded; an error reply counts as a failure. Must be quick: it
/// runs on the caller's task.
public typealias RedisCommandObserver = @Sendable (_ command: String, _ duration: Duration, _ succeeded: Bool) -> Void
