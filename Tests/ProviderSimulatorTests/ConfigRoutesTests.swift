import HummingbirdTesting
import ProviderSimulator
import Testing

@Suite("Config routes")
struct ConfigRoutesTests {
    @Test func getReturnsTheStartUpBehaviour() async throws {
        let app = try makeSimulator {
            $0.latencyMs = 250
            $0.distribution = .lognormal
            $0.errorRate = 0.1
            $0.sigma = 0.8
        }.makeApplication()
        try await app.test(.router) { client in
            let config = try await client.send(.get, "/config")
            #expect(config.status == .ok)
            #expect(config.body["latencyMs"]?.int == 250)
            #expect(config.body["distribution"]?.string == "lognormal")
            #expect(config.body["errorRate"]?.double == 0.1)
            #expect(config.body["sigma"]?.double == 0.8)
        }
    }

    @Test func putChangesBehaviourPartially() async throws {
        let simulator = try makeSimulator()
        try await simulator.makeApplication().test(.router) { client in
            let reply = try await client.send(.put, "/config", json: #"{"errorRate": 0.5, "distribution": "lognormal"}"#)
            #expect(reply.status == .ok)
            #expect(reply.body["errorRate"]?.double == 0.5)
            #expect(reply.body["distribution"]?.string == "lognormal")
            #expect(reply.body["latencyMs"]?.int == 0)
            let again = try await client.send(.put, "/config", json: #"{"latencyMs": 20}"#)
            #expect(again.body["errorRate"]?.double == 0.5)
            #expect(try await client.send(.get, "/config").body["latencyMs"]?.int == 20)
        }
        #expect(simulator.provider.behaviour == ProviderBehaviour(latencyMs: 20, distribution: .lognormal, errorRate: 0.5, sigma: 0.5))
    }

    @Test(arguments: [
        (#"{"latencyMs": -1}"#, "latencyMs"),
        (#"{"errorRate": 1.5}"#, "errorRate"),
        (#"{"errorRate": "0.5"}"#, "errorRate"),
        (#"{"distribution": "uniform"}"#, "distribution"),
        (#"{"sigma": -0.1}"#, "sigma"),
        (#"{"latency": 100}"#, "latency"),
    ])
    func invalidValuesAre422AndChangeNothing(body: String, field: String) async throws {
        let simulator = try makeSimulator()
        let before = simulator.provider.behaviour
        try await simulator.makeApplication().test(.router) { client in
            let reply = try await client.send(.put, "/config", json: body)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.body["error"]?["code"]?.string == "validation_failed")
            #expect(reply.body["error"]?["details"]?[field]?.string != nil)
        }
        #expect(simulator.provider.behaviour == before)
    }

    @Test func malformedConfigIs400() async throws {
        try await makeSimulator().makeApplication().test(.router) { client in
            let notJSON = try await client.send(.put, "/config", json: "{latencyMs: 3}")
            let notObject = try await client.send(.put, "/config", json: "[]")
            #expect(notJSON.status == .badRequest)
            #expect(notObject.status == .badRequest)
        }
    }
}
