import RedisClient

/// The dead-letter streams `queue:<name>:dead`: jobs that used their last attempt, kept with
/// their error history until someone re-drives them; never trimmed by length (`exchange-server jobs dead|retry`).
public struct DeadLetters: Sendable {
    let redis: any RedisCommandExecutor
    let keys: QueueKeys

    public init(redis: any RedisCommandExecutor, keys: QueueKeys = .standard) {
        self.redis = redis
        self.keys = keys
    }

    /// One dead letter.
    public struct Letter: Sendable, Equatable {
        /// The entry id in `queue:<name>:dead`: what `jobs retry` takes.
        public var id: String
        public var queue: QueueName
        /// The job's idempotency key.
        public var jobId: String
        public var kind: String
        public var attempts: Int
        public var lastError: String
        /// Every attempt's error, oldest first (the last ten).
        public var errors: [String]
        /// Unix ms of the last failure.
        public var failedAtMs: Int64
        public var payload: String
    }

    /// Dead letters of `queue` (all queues when `nil`), oldest first, at most `limit` per queue.
    public func list(queue: QueueName? = nil, limit: Int = 1000) async throws -> [Letter] {
        var letters: [Letter] = []
        for name in queue.map({ [$0] }) ?? QueueName.allCases {
            let entries = try await redis.xrange(keys.dead(name), count: limit)
            letters += entries.map { Self.letter($0, queue: name) }
        }
        return letters
    }

    public enum RedriveResult: Sendable, Equatable {
        /// Back on `queue`'s stream as entry `entryID`, attempt 1.
        case redriven(queue: QueueName, entryID: String)
        case notFound
        /// The id matches dead letters on several queues: name one.
        case ambiguous([QueueName])
    }

    /// Puts one dead letter back on its stream with attempts reset, atomically (the dead entry
    /// is removed in the same script). `id` is the dead letter's entry id or the job id.
    public func redrive(id: String, queue: QueueName? = nil) async throws -> RedriveResult {
        var matches: [(QueueName, String)] = []
        for name in queue.map({ [$0] }) ?? QueueName.allCases {
            if Self.isEntryID(id) {
                if try await !redis.xrange(keys.dead(name), start: id, end: id).isEmpty { matches.append((name, id)) }
            } else {
                for entry in try await redis.xrange(keys.dead(name)) where entry.fields[field: .jobId] == id {
                    matches.append((name, entry.id))
                }
            }
        }
        guard let (name, entryID) = matches.first else { return .notFound }
        guard matches.count == 1 else { return .ambiguous(matches.map(\.0)) }
        let reply = try await redis.evalSHA(
            QueueScripts.redrive,
            keys: [keys.dead(name), keys.stream(name)],
            args: [entryID, String(UnixTime.nowMs())]
        )
        guard let newID = reply.string else { return .notFound }
        return .redriven(queue: name, entryID: newID)
    }

    static func letter(_ entry: RedisStreamEntry, queue: QueueName) -> Letter {
        Letter(
            id: entry.id,
            queue: queue,
            jobId: entry.fields[field: .jobId] ?? "",
            kind: entry.fields[field: .kind] ?? "",
            attempts: entry["attempts"].flatMap(Int.init) ?? 0,
            lastError: entry["lastError"] ?? "",
            errors: entry.fields[field: .errors].map(JobEnvelope.decode) ?? [],
            failedAtMs: entry["failedAt"].flatMap(Int64.init) ?? 0,
            payload: entry.fields[field: .payload] ?? JobField.payload.fallback
        )
    }

    /// `1700000000000-0`: digits, a dash, digits.
    static func isEntryID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }
}
