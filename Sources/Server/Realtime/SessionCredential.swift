/// The session a socket was opened with, re-checked while the socket lives: at each
/// `subscribe` and every `realtime.sessionCheckIntervalMs`. A session that expired or was
/// revoked (logout) ends the socket with close code 4001; a check that can't be made
/// (PostgreSQL and Redis both unreachable) leaves it open.
struct SessionCredential: Sendable {
    static let closeCode: UInt16 = 4001

    let token: String
    let address: String
    let authenticator: Authenticator

    enum State: Equatable {
        case live, ended, unknown
    }

    func check() async -> State {
        do {
            _ = try await authenticator.actor(token: token, from: address)
            return .live
        } catch let error as APIError where error.status == 401 {
            return .ended
        } catch {
            return .unknown
        }
    }

    /// Checks every `interval` until the session ends (then calls `onEnd`) or the task is
    /// cancelled (the socket closed first).
    func watch(every interval: Duration, onEnd: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            if await check() == .ended {
                await onEnd()
                return
            }
        }
    }
}
