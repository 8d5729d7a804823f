import ProviderSimulator
import Testing
import WireJSON

@Suite("Behaviour and configuration validation (pure)")
struct BehaviourTests {
    @Test func partialUpdateKeepsOtherFields() throws {
        let base = ProviderBehaviour(latencyMs: 300, distribution: .fixed, errorRate: 0, sigma: 0.5)
        let updated = try base.applying(["errorRate": .double(0.25)])
        #expect(updated == ProviderBehaviour(latencyMs: 300, distribution: .fixed, errorRate: 0.25, sigma: 0.5))
        let all = try base.applying([
            "latencyMs": .int(50), "distribution": .string("lognormal"), "errorRate": .int(1), "sigma": .double(1.5),
        ])
        #expect(all == ProviderBehaviour(latencyMs: 50, distribution: .lognormal, errorRate: 1, sigma: 1.5))
        #expect(try base.applying([:]) == base)
    }

    @Test(arguments: [
        (["latencyMs": JSON.int(-1)], "latencyMs"),
        (["latencyMs": .double(1.5)], "latencyMs"),
        (["latencyMs": .string("300")], "latencyMs"),
        (["latencyMs": .int(60_001)], "latencyMs"),
        (["errorRate": .double(1.01)], "errorRate"),
        (["errorRate": .double(-0.1)], "errorRate"),
        (["errorRate": .null], "errorRate"),
        (["distribution": .string("uniform")], "distribution"),
        (["sigma": .double(-1)], "sigma"),
        (["latency_ms": .int(3)], "latency_ms"),
    ])
    func invalidUpdatesNameTheField(update: [String: JSON], field: String) {
        let base = ProviderBehaviour()
        #expect(throws: BehaviourValidationError.self) { try base.applying(update) }
        do {
            _ = try base.applying(update)
        } catch {
            #expect(Array(error.failures.keys) == [field])
        }
    }

    @Test func everyWrongFieldIsReported() {
        #expect(
            throws: BehaviourValidationError(failures: [
                "errorRate": "must be a number between 0 and 1",
                "distribution": "must be one of fixed, lognormal",
            ])
        ) {
            try ProviderBehaviour().applying(["errorRate": .int(2), "distribution": .string("x"), "sigma": .double(1)])
        }
    }

    @Test func configurationValidationNamesTheField() {
        #expect(throws: Never.self) { try ProviderSimulator.Configuration().validate() }
        #expect(throws: ProviderSimulator.ConfigurationError(field: "port", reason: "must be between 0 and 65535")) {
            try ProviderSimulator.Configuration(port: 70_000).validate()
        }
        #expect(throws: ProviderSimulator.ConfigurationError.self) { try ProviderSimulator.Configuration(latencyMs: -5).validate() }
        #expect(throws: ProviderSimulator.ConfigurationError(field: "maxMessages", reason: "must be at least 1")) {
            try ProviderSimulator.Configuration(maxMessages: 0).validate()
        }
        #expect(throws: ProviderSimulator.ConfigurationError.self) { try ProviderSimulator(configuration: .init(errorRate: 2)) }
    }
}
