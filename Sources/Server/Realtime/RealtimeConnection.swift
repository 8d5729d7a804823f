import Synchronization

/// One open `/ws` connection as the hub sees it: who is connected, its rooms, and a bounded
/// queue of frames for its writer.
///
/// Producers (the hub's fan-out and the connection's own replies) never wait: they append to
/// the queue under a short lock. When the queue already holds `sendBufferLimit` frames the
/// client isn't keeping up; the connection stops accepting frames and reports itself through
/// `onOverflow`, which closes it ("slow consumer").
final class RealtimeConnection: Sendable {
    let actor: Actor
    /// Frames for the writer, in send order.
    let outgoing: AsyncStream<OutgoingFrame>

    private struct State {
        var delivery: DeliveryState
        var open = true
    }

    private let state: Mutex<State>
    private let continuation: AsyncStream<OutgoingFrame>.Continuation
    private let onOverflow: @Sendable () -> Void

    init(actor: Actor, sendBufferLimit: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.actor = actor
        let (outgoing, continuation) = AsyncStream<OutgoingFrame>.makeStream(bufferingPolicy: .bufferingOldest(max(1, sendBufferLimit)))
        self.outgoing = outgoing
        self.continuation = continuation
        self.state = Mutex(State(delivery: DeliveryState()))
        self.onOverflow = onOverflow
    }

    /// Whether frames are still accepted (not closed, not overflowed).
    var isOpen: Bool { state.withLock { $0.open } }

    var rooms: [Room] { state.withLock { Array($0.delivery.rooms.keys) } }

    var subscriptionCount: Int { state.withLock { $0.delivery.subscriptionCount } }

    func isSubscribed(_ room: Room) -> Bool { state.withLock { $0.delivery.isSubscribed(room) } }

    /// Queues a reply (`pong`, `error`, `unsubscribed`).
    func reply(_ text: String) {
        send { _ in [OutgoingFrame(text: text)] }
    }

    /// Starts a subscription; events for `room` are held until ``activate(_:lastSeq:)``.
    func begin(_ room: Room) {
        state.withLock { $0.delivery.begin(room) }
    }

    /// Answers `subscribed` and releases the events held since ``begin(_:)``.
    func activate(_ room: Room, lastSeq: Int) {
        send { $0.activate(room, lastSeq: lastSeq) }
    }

    /// Leaves `room` (after a refused subscription, or on `unsubscribe`).
    @discardableResult
    func remove(_ room: Room) -> Bool {
        state.withLock { $0.delivery.remove(room) }
    }

    /// Delivers `event` arriving through `room`, whose frame is `frame` (built once per room by
    /// the hub and shared by every connection in it).
    func deliver(_ event: RealtimeEvent, in room: Room, frame: String) {
        send { delivery in
            delivery.deliver(event, in: room) ? [OutgoingFrame(text: frame, publishedAtNs: event.publishedAtNs)] : []
        }
    }

    /// Stops accepting frames and ends ``outgoing`` (the writer finishes what it holds).
    func close() {
        state.withLock { $0.open = false }
        continuation.finish()
    }

    /// Decides and enqueues under one lock, so frames of concurrent producers keep the order
    /// in which their decisions were made.
    private func send(_ decide: (inout DeliveryState) -> [OutgoingFrame]) {
        let overflowed = state.withLock { state -> Bool in
            guard state.open else { return false }
            for frame in decide(&state.delivery) {
                if case .dropped = continuation.yield(frame) {
                    state.open = false
                    continuation.finish()
                    return true
                }
            }
            return false
        }
        if overflowed { onOverflow() }
    }
}
