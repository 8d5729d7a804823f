/// Carries out faults against what the lab started for a run (see ``LabFaultTarget``).
public protocol FaultTarget: Sendable {
    /// Breaks the part `kind` names; returns what was hit (for the report).
    func inject(_ kind: FaultKind) async throws -> String
    /// Starts the broken part again; returns once it was started (the heal has begun).
    func heal(_ kind: FaultKind) async throws
    /// Waits until the healed part answers again (best effort, bounded).
    func awaitHealed(_ kind: FaultKind) async throws
}

extension FaultTarget {
    public func awaitHealed(_ kind: FaultKind) async throws {}
}
