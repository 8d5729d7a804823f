import Synchronization

/// What a running scenario is doing right now, read by the progress line.
public final class LiveStatus: Sendable {
    public struct Phase: Sendable {
        public var name: String
        public var recorder: Recorder?
        public var operation: String
        public var started: ContinuousClock.Instant
        public var expected: Duration
    }

    private let phase = Mutex<Phase?>(nil)

    public init() {}

    public func begin(_ name: String, recorder: Recorder?, operation: String, expected: Duration) {
        phase.withLock { $0 = Phase(name: name, recorder: recorder, operation: operation, started: .now, expected: expected) }
    }

    public var current: Phase? { phase.withLock { $0 } }
}
