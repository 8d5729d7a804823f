import Synchronization

/// The sessions of this instance's open sockets, re-checked by one loop for all of them every
/// `realtime.sessionCheckIntervalMs` (instead of a sleeping task per socket): each distinct
/// token is checked once per round, and every socket of a session that expired or was revoked
/// is ended (close code 4001, ``SessionCredential``).
final class SessionWatch: Sendable {
    struct Entry: Sendable {
        let credential: SessionCredential
        let end: @Sendable () async -> Void
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    var count: Int { entries.withLock { $0.count } }

    func add(_ id: ObjectIdentifier, _ entry: Entry) {
        entries.withLock { $0[id] = entry }
    }

    func remove(_ id: ObjectIdentifier) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// One round over every watched socket.
    func checkAll() async {
        let snapshot = entries.withLock { $0 }
        var byToken: [String: [(ObjectIdentifier, Entry)]] = [:]
        for (id, entry) in snapshot { byToken[entry.credential.token, default: []].append((id, entry)) }
        var ended: [Entry] = []
        for sockets in byToken.values {
            if Task.isCancelled { return }
            guard let first = sockets.first, await first.1.credential.check() == .ended else { continue }
            for (id, entry) in sockets {
                remove(id)
                ended.append(entry)
            }
        }
        // Ending a socket waits for its close frame to be written: never one slow client for all.
        await withDiscardingTaskGroup { group in
            for entry in ended { group.addTask { await entry.end() } }
        }
    }

    /// Rounds every `interval` until cancelled.
    func run(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await checkAll()
        }
    }
}
