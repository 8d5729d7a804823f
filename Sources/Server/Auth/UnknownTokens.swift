import Synchronization

/// Tokens recently found to be unknown, remembered in-process for a few seconds so that a
/// client replaying a bad token costs no query on the primary (and no Redis round trip).
/// Bounded: when full, expired entries go first, then everything (a flood of random tokens
/// can only make this cache forget, never grow).
final class UnknownTokens: Sendable {
    private let entries = Mutex<[String: ContinuousClock.Instant]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func contains(_ tokenHash: String, now: ContinuousClock.Instant = .now) -> Bool {
        entries.withLock { entries in
            guard let expiry = entries[tokenHash] else { return false }
            if expiry > now { return true }
            entries[tokenHash] = nil
            return false
        }
    }

    func insert(_ tokenHash: String, now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[tokenHash] = now + lifetime
        }
    }

    func remove(_ tokenHash: String) {
        _ = entries.withLock { $0.removeValue(forKey: tokenHash) }
    }
}
