/// The session a socket was opened with, re-checked while the socket lives: at each
/// `subscribe` and every `realtime.sessionCheckIntervalMs` (``SessionWatch``). A session that expired or was
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
}
