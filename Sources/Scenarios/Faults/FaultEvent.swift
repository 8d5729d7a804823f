/// What one scheduled fault actually did, in seconds after the measured phase started.
public struct FaultEvent: Codable, Sendable, Equatable {
    public var spec: FaultSpec
    /// When the injection happened (the kill, stop or terminate returned).
    public var started: Double
    /// When healing began (the restart was issued); `started` for a one-off fault.
    public var ended: Double
    /// When the healed part answered again (a restarted process ready); nil when not waited for.
    public var healed: Double?
    /// What was hit: `server #1 pid 4242`, `redis 127.0.0.1:41234`, `12 backends of lab_…_c0`.
    public var target: String
    /// Why the injection or the heal failed, when it did.
    public var error: String?

    public init(spec: FaultSpec, started: Double, ended: Double, healed: Double? = nil, target: String, error: String? = nil) {
        self.spec = spec
        self.started = started
        self.ended = ended
        self.healed = healed
        self.target = target
        self.error = error
    }
}
