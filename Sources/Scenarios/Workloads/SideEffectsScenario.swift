/// The sync vs queued experiment: the exchange flow with the provider answering after L ms.
///
/// Options: `providerLatencyMs` (300), `providerDistribution` (`fixed`), `providerErrorRate` (0),
/// `operators` (4), `observe` (false).
public struct SideEffectsScenario: Scenario {
    public let name = "side-effects"
    public let summary = "creation + transitions at rate R with the provider at latency L (PUT /config): sync vs queued side effects"

    public func run(_ context: ScenarioContext) async throws -> ScenarioOutcome {
        let behaviour = ProviderClient.Behaviour(
            latencyMs: context.options.double("providerLatencyMs", default: 300),
            distribution: context.options.string("providerDistribution", default: "fixed"),
            errorRate: context.options.double("providerErrorRate", default: 0)
        )
        // Sign-in needs its OTP SMS promptly, so the slow provider applies from after sign-in.
        // The provider keeps this behaviour afterwards (a matrix starts a fresh one per cell).
        return try await ExchangeFlowScenario().runFlow(context, observe: context.options.bool("observe", default: false)) {
            let applied = await context.provider.configure(behaviour)
            let described = "provider latency \(Int(behaviour.latencyMs)) ms (\(behaviour.distribution)), error rate \(behaviour.errorRate)"
            return [applied ? described : "PUT /config on the provider failed: \(described) NOT applied"]
        }
    }
}
