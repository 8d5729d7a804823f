import Synchronization

/// One-shot values by key that tasks can wait for with a timeout; a value that arrives
/// before anyone waits is kept for the first waiter.
public final class Waiters<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [Key: [(id: Int, continuation: CheckedContinuation<Value?, Never>)]] = [:]
        var arrived: [Key: Value] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func resolve(_ key: Key, _ value: Value) {
        let continuations = state.withLock { state -> [CheckedContinuation<Value?, Never>] in
            guard let waiting = state.waiting.removeValue(forKey: key), !waiting.isEmpty else {
                state.arrived[key] = value
                return []
            }
            return waiting.map(\.continuation)
        }
        for continuation in continuations { continuation.resume(returning: value) }
    }

    /// Forgets a value nobody waited for.
    public func discard(_ key: Key) {
        _ = state.withLock { $0.arrived.removeValue(forKey: key) }
    }

    public func wait(_ key: Key, timeout: Duration) async -> Value? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            let immediate = state.withLock { state -> Value?? in
                if let value = state.arrived.removeValue(forKey: key) { return .some(value) }
                state.waiting[key, default: []].append((id, continuation))
                return .none
            }
            if let immediate {
                continuation.resume(returning: immediate)
                return
            }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.expire(key, id: id)
            }
        }
    }

    private func expire(_ key: Key, id: Int) {
        let continuation = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            guard var waiting = state.waiting[key], let index = waiting.firstIndex(where: { $0.id == id }) else { return nil }
            let entry = waiting.remove(at: index)
            state.waiting[key] = waiting.isEmpty ? nil : waiting
            return entry.continuation
        }
        continuation?.resume(returning: nil)
    }
}
