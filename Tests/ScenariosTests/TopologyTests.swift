import Foundation
import Testing
import WireJSON

@testable import Scenarios

@Suite struct TopologyTests {
    @Test func topologyAxesSetTheCellTopologyNotTheServerConfig() throws {
        let json = """
            {"scenario": "exchange-flow", "load": {"rate": 5, "duration": 3},
             "topology": {"poolerPoolSize": 6},
             "axes": [{"path": "instances", "values": [1, 2]}, {"path": "pooler", "values": ["none", "pgbouncer"]},
                      {"path": "pooler.poolSize", "values": [4]}, {"path": "db.primary.poolSize", "values": [8]}],
             "ports": {"server": 19000, "provider": 19010}}
            """
        let spec = try JSONDecoder().decode(MatrixSpec.self, from: Data(json.utf8))
        try spec.validate()
        let cells = spec.cells()
        #expect(cells.count == 4)
        #expect(cells.map(\.topology.instances) == [1, 1, 2, 2])
        #expect(cells.map(\.topology.pooler) == [.none, .pgbouncer, .none, .pgbouncer])
        #expect(cells.allSatisfy { $0.topology.poolerPoolSize == 4 })
        #expect(cells[3].label == "instances=2 pooler=pgbouncer poolerPoolSize=4 poolSize=8")
        #expect(cells[3].config[path: "instances"] == nil)
        #expect(cells[3].config[path: "pooler"] == nil)
        #expect(cells[3].config[path: "db.primary.poolSize"] == .int(8))
        #expect(cells[3].axes["instances"] == .int(2))
        #expect(spec.ports.relay == 18990 && spec.ports.pooler == 18980)
    }

    @Test func badTopologyValuesAndPortCollisionsAreRefused() throws {
        var spec = MatrixSpec(name: "t", scenario: "exchange-flow", load: LoadSpec(rate: 5, duration: 3))
        spec.axes = [.init(path: "pooler", values: [.string("odyssey")])]
        #expect(throws: ScenarioError.self) { try spec.validate() }
        spec.axes = [.init(path: "instances", values: [.int(0)])]
        #expect(throws: ScenarioError.self) { try spec.validate() }
        spec.axes = [.init(path: "instances", values: [.int(4)])]
        spec.ports = MatrixSpec.Ports(server: 18080, provider: 18082)
        let error = try #require(throws: ScenarioError.self) { try spec.validate() }
        #expect(error.description.contains("18082") && error.description.contains("4 instances"))
        spec.ports = MatrixSpec.Ports(server: 18080, provider: 18090)
        try spec.validate()
    }

    @Test func routerSendsObserversToAnotherInstance() async {
        let urls = ["http://a", "http://b", "http://c"]
        let router = InstanceRouter(baseURLs: urls, apis: urls.map { APIClient(baseURL: $0, connections: 1) })
        for user in 0..<9 {
            #expect(router.home(user: user) != router.observer(user: user))
            #expect(router.api(user: user).baseURL == urls[user % 3])
        }
        #expect(Set((0..<3).map { router.observer(user: $0) }) == [0, 1, 2])
        let single = InstanceRouter(baseURLs: ["http://a"], apis: [router.apis[0]])
        #expect(single.home(user: 5) == 0 && single.observer(user: 5) == 0)
        for api in router.apis { await api.shutdown() }
    }

    @Test func scrapesOfSeveralInstancesAddUp() {
        let first = PrometheusScrape.parse(
            """
            exchange_transitions_total{action="claim"} 3
            db_pool_connections{pool="primary",state="used"} 2
            db_replica_lag_seconds 0.5
            """
        )
        let second = PrometheusScrape.parse(
            """
            exchange_transitions_total{action="claim"} 4
            exchange_transitions_total{action="start"} 1
            db_pool_connections{pool="primary",state="used"} 5
            db_replica_lag_seconds 0.2
            """
        )
        let sum = PrometheusScrape.summed([first, second])
        #expect(sum.value("exchange_transitions_total", labels: ["action": "claim"]) == 7)
        #expect(sum.value("exchange_transitions_total", labels: ["action": "start"]) == 1)
        #expect(sum.value("db_pool_connections", labels: ["pool": "primary", "state": "used"]) == 7)
        #expect(sum.value("db_replica_lag_seconds") == 0.5)
    }

    @Test func gaugesExportedAsNaNAreLeftOutAndTheMetricsEncode() throws {
        let before = PrometheusScrape.parse("db_replica_lag_seconds NaN\nws_connections 1")
        let after = PrometheusScrape.parse("db_replica_lag_seconds 0.25\nws_connections 3")
        let unknownAfter = PrometheusScrape.parse("db_replica_lag_seconds NaN\nws_connections 2")
        let metrics = ServerMetrics.between(before: before, after: after, during: [unknownAfter])
        #expect(metrics.gauges["db_replica_lag_seconds"] == .init(before: 0.25, after: 0.25, max: 0.25))
        #expect(metrics.gauges["ws_connections"] == .init(before: 1, after: 3, max: 3))
        let stillUnknown = ServerMetrics.between(before: before, after: unknownAfter, during: [])
        #expect(stillUnknown.gauges["db_replica_lag_seconds"] == nil)
        _ = try JSONEncoder().encode(stillUnknown)
    }
}

@Suite struct ConnectionBudgetTests {
    let config: JSON = ["db": ["primary": ["poolSize": .int(64)], "replica": ["poolSize": .int(4)]]]

    @Test func instancesTimesPoolsMustFitMaxConnections() throws {
        let fits = ConnectionBudget(
            config: config,
            topology: Topology(instances: 2),
            primaryMax: 400,
            primaryReserved: 3,
            replicaMax: 400,
            replicaReserved: 3
        )
        // 2 × (64 + 1) + 2 + 5 = 137 on the primary; 2 × (4 + 1) + 5 = 15 on the replica.
        #expect(fits.primary.needed == 137 && fits.primary.available == 397)
        #expect(fits.replica.needed == 15)
        #expect(fits.refusal == nil)
        let over = ConnectionBudget(
            config: config,
            topology: Topology(instances: 8),
            primaryMax: 400,
            primaryReserved: 3,
            replicaMax: 400,
            replicaReserved: 3
        )
        // 8 × 65 + 7 = 527 > 397.
        let refusal = try #require(over.refusal)
        #expect(refusal.contains("527") && refusal.contains("397") && refusal.contains("8 instances × (64 pool + 1 probe)"))
        #expect(!refusal.contains("replica"))
    }

    @Test func throughPgBouncerThePrimarySeesOnlyThePoolersConnections() {
        let budget = ConnectionBudget(
            config: config,
            topology: Topology(instances: 8, pooler: .pgbouncer, poolerPoolSize: 20),
            primaryMax: 100,
            primaryReserved: 3,
            replicaMax: 100,
            replicaReserved: 3
        )
        #expect(budget.primary.needed == 27)
        #expect(budget.refusal == nil)
    }
}
