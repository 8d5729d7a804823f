import CHiredis
import Glibc
import Synchronization

/// The machinery behind ``RedisSubscriber``: state shared with callers behind a lock, and a
/// loop that owns the hiredis context on the subscriber's thread.
///
/// The loop never blocks inside hiredis: it `poll`s the socket together with a wake-up pipe,
/// and reads only when the socket is readable (`redisBufferRead`, then every complete reply
/// from the reader). So idle periods involve no read timeouts at all, and a subscription
/// change wakes the loop at once instead of waiting for a timeout. A failed read (EOF, reset)
/// means the connection is gone.
final class SubscriberCore: @unchecked Sendable {
    enum Change: String, Sendable {
        case subscribe = "SUBSCRIBE"
        case psubscribe = "PSUBSCRIBE"
        case unsubscribe = "UNSUBSCRIBE"
        case punsubscribe = "PUNSUBSCRIBE"
    }

    struct PendingChange {
        let change: Change
        let names: [String]
        let continuation: CheckedContinuation<Bool, Error>
    }

    struct Shared {
        var channels: Set<String> = []
        var patterns: Set<String> = []
        /// Changes to send, queued while the link is up.
        var changes: [PendingChange] = []
        /// A context exists on the thread, so queued changes will be sent.
        var linkUp = false
        var state: RedisSubscriberState = .connecting
        var reconnects = 0
        var stopped = false
        /// The wake-up pipe is still open (the thread closes it on exit).
        var pipeOpen = true
    }

    /// What completes when Redis has confirmed every name of one command.
    private enum Completion {
        case caller(CheckedContinuation<Bool, Error>)
        case resubscribed
    }

    private struct Confirmation {
        var remaining: Int
        let completion: Completion
    }

    let shared = Mutex(Shared())
    private let configuration: RedisConfiguration
    private let messages: AsyncStream<RedisPubSubMessage>.Continuation
    private let events: AsyncStream<RedisSubscriberEvent>.Continuation
    private let onStateChange: (@Sendable (RedisSubscriberState) -> Void)?
    private let wakeRead: Int32
    private let wakeWrite: Int32

    // Touched only on the subscriber's thread.
    private var context: Hiredis.Context?
    private var confirmations: [Confirmation] = []
    /// A connection dropped or an attempt failed since the last successful connection.
    private var lostSinceConnect = false
    private var connectedAt: ContinuousClock.Instant = .now
    private var backoff: Duration = .zero
    private var retryAt: ContinuousClock.Instant?
    /// Messages are being dropped because the consumer's buffer is full.
    private var overflowing = false

    /// Messages dropped so far because the buffer was full (read from any thread).
    let dropped = Atomic<Int>(0)

    /// A connection that drops sooner than this after connecting counts as a failed attempt
    /// (backoff applies), so a server that accepts and hangs up at once isn't hammered.
    private static let stableAfter: Duration = .seconds(1)
    /// The longest `poll` wait; a safety net, since stop and changes write to the wake pipe.
    private static let pollInterval: Int32 = 1000

    init(
        configuration: RedisConfiguration,
        messages: AsyncStream<RedisPubSubMessage>.Continuation,
        events: AsyncStream<RedisSubscriberEvent>.Continuation,
        onStateChange: (@Sendable (RedisSubscriberState) -> Void)?
    ) {
        self.configuration = configuration
        self.messages = messages
        self.events = events
        self.onStateChange = onStateChange
        // Without a pipe (no descriptors left) the loop still works: poll ignores -1 and
        // changes are then picked up within `pollInterval`.
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        } else {
            fds = [-1, -1]
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    // MARK: Called from any task

    /// Records the wanted change and, when connected, queues it for the thread and waits for
    /// Redis to confirm it.
    func change(_ change: Change, _ names: [String]) async throws -> Bool {
        let names = Array(Set(names))
        return try await withCheckedThrowingContinuation { continuation in
            enum Admission {
                case queued
                case notConnected(Bool)
                case closed
            }
            let admission = shared.withLock { shared -> Admission in
                guard !shared.stopped else { return .closed }
                switch change {
                case .subscribe: shared.channels.formUnion(names)
                case .psubscribe: shared.patterns.formUnion(names)
                case .unsubscribe: shared.channels.subtract(names)
                case .punsubscribe: shared.patterns.subtract(names)
                }
                // Queue while connected or making the first connection; fail fast while down.
                guard shared.linkUp || shared.state == .connecting, !names.isEmpty else {
                    return .notConnected(shared.state == .connected)
                }
                shared.changes.append(PendingChange(change: change, names: names, continuation: continuation))
                return .queued
            }
            switch admission {
            case .queued: wake()
            case .notConnected(let connected): continuation.resume(returning: connected)
            case .closed: continuation.resume(throwing: RedisError.closed)
            }
        }
    }

    /// Asks the thread to close everything and exit.
    func stop() {
        shared.withLock { $0.stopped = true }
        wake()
    }

    private func wake() {
        shared.withLock { shared in
            guard shared.pipeOpen else { return }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    // MARK: The subscriber's thread

    /// The loop: connect (with backoff), send queued changes, deliver replies, wait.
    func run() {
        while !shared.withLock({ $0.stopped }) {
            guard let context = context ?? connect() else { continue }
            guard sendChanges(context), deliverBuffered(context) else { continue }

            var descriptors = [
                pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&descriptors, 2, Self.pollInterval) > 0 else { continue }
            if descriptors[1].revents != 0 { drainWakePipe() }
            if descriptors[0].revents != 0 {
                guard redisBufferRead(context) == REDIS_OK else {
                    connectionLost(Hiredis.errorText(context))
                    continue
                }
                _ = deliverBuffered(context)
            }
        }
        finish()
    }

    /// Connects and re-subscribes to everything wanted; `nil` after a failure or while the
    /// backoff pause runs.
    private func connect() -> Hiredis.Context? {
        let now = ContinuousClock.now
        if let retryAt, now < retryAt {
            sleepUntilWoken(milliseconds: Int32((retryAt - now) / .milliseconds(1)) + 1)
            return nil
        }
        switch Hiredis.connect(configuration) {
        case .failure:
            lostSinceConnect = true
            failWaiters(with: nil)
            increaseBackoff(from: now)
            setState(.disconnected)
            return nil
        case .success(let context):
            self.context = context
            connectedAt = now
            retryAt = nil
            let (channels, patterns) = shared.withLock { shared in
                shared.linkUp = true
                return (shared.channels, shared.patterns)
            }
            for (command, names) in [("SUBSCRIBE", channels), ("PSUBSCRIBE", patterns)] where !names.isEmpty {
                _ = Hiredis.append(context, [Array(command.utf8)] + names.map { Array($0.utf8) })
            }
            confirmations.append(Confirmation(remaining: channels.count + patterns.count, completion: .resubscribed))
            guard flush(context) else { return nil }
            if channels.isEmpty && patterns.isEmpty { confirm(success: true) }
            return context
        }
    }

    /// Sends the queued subscription changes; `false` if the connection broke.
    private func sendChanges(_ context: Hiredis.Context) -> Bool {
        let changes = shared.withLock { shared in
            defer { shared.changes = [] }
            return shared.changes
        }
        guard !changes.isEmpty else { return true }
        for change in changes {
            _ = Hiredis.append(context, [Array(change.change.rawValue.utf8)] + change.names.map { Array($0.utf8) })
            confirmations.append(Confirmation(remaining: change.names.count, completion: .caller(change.continuation)))
        }
        return flush(context)
    }

    /// Writes the output buffer; `false` (and the connection dropped) on failure.
    private func flush(_ context: Hiredis.Context) -> Bool {
        var done: Int32 = 0
        repeat {
            guard redisBufferWrite(context, &done) == REDIS_OK else {
                connectionLost(Hiredis.errorText(context))
                return false
            }
        } while done == 0
        return true
    }

    /// Handles every complete reply already read; `false` (and the connection dropped) on a
    /// protocol error.
    private func deliverBuffered(_ context: Hiredis.Context) -> Bool {
        while true {
            switch Hiredis.bufferedReply(context) {
            case .success(nil):
                return true
            case .success(let reply?):
                handle(reply)
            case .failure(let error):
                connectionLost("\(error)")
                return false
            }
        }
    }

    private func handle(_ reply: RedisValue) {
        guard case .array(let items) = reply, let kind = items.first?.string?.lowercased() else {
            if case .error = reply {
                // A refused SUBSCRIBE (e.g. NOPERM) answers once, with an error.
                confirm(success: false, all: true)
            }
            return
        }
        switch kind {
        case "message" where items.count == 3:
            deliver(RedisPubSubMessage(channel: items[1].string ?? "", payload: items[2].bytes ?? []))
        case "pmessage" where items.count == 4:
            deliver(RedisPubSubMessage(channel: items[2].string ?? "", pattern: items[1].string, payload: items[3].bytes ?? []))
        case "subscribe", "psubscribe", "unsubscribe", "punsubscribe":
            confirm(success: true)
        default:
            break
        }
    }

    /// Counts one confirmation against the oldest command still waiting for some.
    /// Buffers a message for the consumer. A full buffer drops it (memory stays bounded) and
    /// reports the overflow as an event when it starts and when it ends, with the running total:
    /// the consumer must resynchronise from the source of truth, as after a reconnect.
    private func deliver(_ message: RedisPubSubMessage) {
        switch messages.yield(message) {
        case .dropped:
            let total = dropped.add(1, ordering: .relaxed).newValue
            if !overflowing {
                overflowing = true
                events.yield(.messagesDropped(total: total))
            }
        case .enqueued:
            if overflowing {
                overflowing = false
                events.yield(.messagesDropped(total: dropped.load(ordering: .relaxed)))
            }
        case .terminated:
            break
        @unknown default:
            break
        }
    }

    private func confirm(success: Bool, all: Bool = false) {
        guard !confirmations.isEmpty else { return }
        confirmations[0].remaining -= 1
        guard confirmations[0].remaining <= 0 || all else { return }
        switch confirmations.removeFirst().completion {
        case .caller(let continuation):
            continuation.resume(returning: success)
        case .resubscribed:
            let reconnects = shared.withLock { shared in
                if lostSinceConnect { shared.reconnects += 1 }
                return shared.reconnects
            }
            setState(.connected)
            if lostSinceConnect {
                lostSinceConnect = false
                events.yield(.reconnected(count: reconnects))
            }
        }
    }

    /// Frees the context, fails whatever waited on it, and schedules the reconnection:
    /// immediately after a connection that had been up a while, with backoff otherwise.
    private func connectionLost(_ reason: String) {
        if let context { redisFree(context) }
        context = nil
        failWaiters(with: nil)
        let now = ContinuousClock.now
        if now - connectedAt < Self.stableAfter {
            increaseBackoff(from: now)
        } else {
            backoff = .zero
            retryAt = nil
        }
        if !lostSinceConnect {
            events.yield(.connectionLost(reason: "\(configuration.endpoint): \(reason)"))
        }
        lostSinceConnect = true
        setState(.disconnected)
    }

    /// Resumes every caller waiting for a confirmation: with `false`, or with `error`.
    private func failWaiters(with error: RedisError?) {
        let queued = shared.withLock { shared in
            shared.linkUp = false
            defer { shared.changes = [] }
            return shared.changes.map(\.continuation)
        }
        let waiting = confirmations.compactMap { confirmation -> CheckedContinuation<Bool, Error>? in
            if case .caller(let continuation) = confirmation.completion { continuation } else { nil }
        }
        confirmations = []
        for continuation in waiting + queued {
            if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: false) }
        }
    }

    private func increaseBackoff(from now: ContinuousClock.Instant) {
        backoff = backoff == .zero ? ConnectionLink.initialBackoff : min(backoff * 2, configuration.maxReconnectBackoff)
        retryAt = now + backoff
    }

    private func setState(_ state: RedisSubscriberState) {
        let changed = shared.withLock { shared in
            defer { shared.state = state }
            return shared.state != state
        }
        if changed { onStateChange?(state) }
    }

    private func sleepUntilWoken(milliseconds: Int32) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, max(0, min(milliseconds, Self.pollInterval))) > 0 { drainWakePipe() }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Runs once when the loop ends: closes the connection, fails waiters, ends the streams.
    private func finish() {
        if let context { redisFree(context) }
        context = nil
        failWaiters(with: .closed)
        setState(.closed)
        messages.finish()
        events.finish()
        shared.withLock { shared in
            shared.pipeOpen = false
            if wakeRead >= 0 { close(wakeRead) }
            if wakeWrite >= 0 { close(wakeWrite) }
        }
    }
}
