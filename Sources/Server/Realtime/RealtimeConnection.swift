import Synchronization

/// One open `/ws` connection as the hub sees it: who is connected, its rooms, and the frames on
/// their way to its socket.
///
/// Producers (the hub's fan-out and the connection's own replies) never wait: they decide and
/// hand the frame to the socket's writer (``FrameWriter``) under a short lock, so frames leave
/// in the order their decisions were made. A frame counts as queued until the socket has taken
/// it; when `sendBufferLimit` frames are already queued the client isn't keeping up: the
/// connection stops accepting frames and reports itself through `onOverflow`, which closes it
/// ("slow consumer"). There is no writer task and no per-connection queue: an idle socket costs
/// only its state (docs/performance.md "Memory").
final class RealtimeConnection: Sendable {
    let actor: Actor

    private struct State {
        var delivery: DeliveryState
        var open = true
        /// Frames handed to the writer and not yet taken by the socket.
        var queued = 0
    }

    private let state: Mutex<State>
    private let writer: FrameWriter
    private let sendBufferLimit: Int
    private let onOverflow: @Sendable () -> Void

    init(actor: Actor, writer: FrameWriter, sendBufferLimit: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.actor = actor
        self.writer = writer
        self.sendBufferLimit = max(1, sendBufferLimit)
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

    /// Stops accepting frames (those already handed to the socket still go out).
    func close() {
        state.withLock { $0.open = false }
    }

    /// Decides and hands over under one lock, so frames of concurrent producers keep the order
    /// in which their decisions were made (the writer only enqueues: it never runs the write,
    /// or its completion, inside this lock).
    private func send(_ decide: (inout DeliveryState) -> [OutgoingFrame]) {
        let overflowed = state.withLock { state -> Bool in
            guard state.open else { return false }
            for frame in decide(&state.delivery) {
                guard state.queued < sendBufferLimit else {
                    state.open = false
                    return true
                }
                state.queued += 1
                writer.write(frame) { [weak self] in self?.state.withLock { $0.queued -= 1 } }
            }
            return false
        }
        if overflowed { onOverflow() }
    }
}
