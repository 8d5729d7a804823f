import Foundation
import Logging
import Synchronization
import WireJSON

/// The fake provider itself, without HTTP: takes messages, waits out a drawn latency (with
/// `Task.sleep`, never blocking a thread), fails some at the configured rate, and remembers the
/// rest. Safe to share between any number of concurrent requests.
public final class SimulatedProvider: Sendable {
    /// What happened to one message.
    public enum Outcome: Sendable, Equatable {
        case accepted(MessageStore.Receipt)
        /// Answered with a simulated provider failure (503).
        case failed
    }

    private struct Control {
        var behaviour: ProviderBehaviour
        var random: AnyRandomSource
    }

    private let store: Mutex<MessageStore>
    private let control: Mutex<Control>
    private let inFlight = Atomic<Int>(0)
    private let logger: Logger

    /// - Parameters:
    ///   - behaviour: initial latency and error rate; must be valid (see `ProviderBehaviour.validationFailures()`).
    ///   - maxMessages: most messages (and idempotency keys) remembered; the oldest go first.
    ///   - random: source of latency and failure draws; inject a seeded one for reproducible runs.
    public init(
        behaviour: ProviderBehaviour,
        maxMessages: Int,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        logger: Logger = Logger(label: "provider-simulator")
    ) {
        self.store = Mutex(MessageStore(capacity: maxMessages))
        self.control = Mutex(Control(behaviour: behaviour, random: AnyRandomSource(random)))
        self.logger = logger
    }

    /// Handles one message: decides its fate on arrival (an accepted one is listed at once, with its
    /// arrival time), then answers after the drawn latency.
    public func receive(_ message: IncomingMessage) async throws -> Outcome {
        self.inFlight.add(1, ordering: .relaxed)
        defer { self.inFlight.subtract(1, ordering: .relaxed) }

        let (delay, fails) = self.control.withLock { control in
            let delay = control.behaviour.latencyModel.sample(using: &control.random)
            let fails = Double.random(in: 0..<1, using: &control.random) < control.behaviour.errorRate
            return (delay, fails)
        }
        let outcome: Outcome = self.store.withLock { store in
            if fails {
                store.recordFailure(of: message.kind)
                return .failed
            }
            return .accepted(store.accept(message, at: Date()))
        }
        if delay > .zero {
            try await Task.sleep(for: delay)
        }
        return outcome
    }

    /// Counts a message body that was refused before reaching `receive`.
    public func recordInvalid() {
        self.store.withLock { $0.recordInvalid() }
    }

    public var behaviour: ProviderBehaviour {
        self.control.withLock { $0.behaviour }
    }

    /// Applies a partial update (fields absent keep their value); nothing changes when any field is wrong.
    @discardableResult
    public func updateBehaviour(_ update: [String: JSON]) throws(BehaviourValidationError) -> ProviderBehaviour {
        let updated = try self.control.withLock { control throws(BehaviourValidationError) in
            let updated = try control.behaviour.applying(update)
            control.behaviour = updated
            return updated
        }
        self.logger.info(
            "provider behaviour changed",
            metadata: [
                "latencyMs": "\(updated.latencyMs)", "distribution": "\(updated.distribution.rawValue)",
                "errorRate": "\(updated.errorRate)", "sigma": "\(updated.sigma)",
            ]
        )
        return updated
    }

    /// Accepted messages matching `filter`, in arrival order.
    public func messages(matching filter: MessageFilter = MessageFilter()) -> [ReceivedMessage] {
        self.store.withLock { $0.messages(matching: filter) }
    }

    public var stats: ProviderStats {
        var stats = self.store.withLock { $0.stats }
        stats.inFlight = self.inFlight.load(ordering: .relaxed)
        return stats
    }

    /// Forgets every message, idempotency key and counter; returns how many messages were listed.
    @discardableResult
    public func clear() -> Int {
        self.store.withLock { $0.clear() }
    }
}
