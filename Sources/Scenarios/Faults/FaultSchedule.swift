/// When each fault of a run is injected and healed: a pure plan, in seconds after the measured
/// phase started, ordered by time (a heal before an injection at the same instant).
public enum FaultSchedule {
    public enum Action: Sendable, Equatable {
        /// Inject fault `index` of the run's list.
        case inject(Int)
        /// Heal fault `index` (lasting kinds only).
        case heal(Int)
    }

    public struct Step: Sendable, Equatable {
        public var at: Double
        public var action: Action

        public init(at: Double, action: Action) {
            self.at = at
            self.action = action
        }
    }

    public static func steps(_ faults: [FaultSpec]) -> [Step] {
        var steps: [Step] = []
        for (index, fault) in faults.enumerated() {
            steps.append(Step(at: fault.at, action: .inject(index)))
            if fault.kind.lasts { steps.append(Step(at: fault.end, action: .heal(index))) }
        }
        return steps.enumerated().sorted { left, right in
            if left.element.at != right.element.at { return left.element.at < right.element.at }
            let leftHeals = if case .heal = left.element.action { true } else { false }
            let rightHeals = if case .heal = right.element.action { true } else { false }
            if leftHeals != rightHeals { return leftHeals }
            return left.offset < right.offset
        }.map(\.element)
    }
}
