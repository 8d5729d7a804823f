import Foundation
import Testing
import WireJSON

@testable import Scenarios

@Suite struct CapacitySearchTests {
    @Test func growsUntilAStepFailsThenBisects() {
        let spec = SearchSpec(operation: "claim", p99Ms: 100, startRate: 50, growth: 1.5, refine: 3)
        var plan = SearchPlan(spec: spec)
        var offered: [Double] = []
        // The server can take 180/s.
        while let rate = plan.next() {
            offered.append(rate)
            plan.record(rate: rate, good: rate <= 180)
        }
        #expect(offered.prefix(5) == [50, 75, 113, 170, 255])
        #expect(offered.count == 5 + 3)
        #expect(offered.dropFirst(5).allSatisfy { $0 > 170 && $0 < 255 })
        let capacity = plan.capacity ?? 0
        #expect(capacity >= 170 && capacity <= 180)
    }

    @Test func aFailingFirstStepHasNoCapacity() {
        var plan = SearchPlan(spec: SearchSpec(operation: "claim", p99Ms: 100, startRate: 50))
        let rate = plan.next()
        #expect(rate == 50)
        plan.record(rate: 50, good: false)
        #expect(plan.next() == nil)
        #expect(plan.capacity == nil)
    }

    @Test func stopsAtMaxRate() {
        var plan = SearchPlan(spec: SearchSpec(operation: "claim", p99Ms: 100, startRate: 50, growth: 2, maxRate: 150))
        var offered: [Double] = []
        while let rate = plan.next() {
            offered.append(rate)
            plan.record(rate: rate, good: true)
        }
        #expect(offered == [50, 100, 150])
    }

    static func step(
        rate: Double,
        met: Bool,
        routeP99: Double = 50,
        acquireP99: Double? = nil,
        timeouts: Double? = nil,
        cores: [String: Double] = [:],
        busy: Double = 0.5,
        waits: [String: Double] = [:],
        trustworthy: Bool = true,
        verdict: String? = nil
    ) -> CapacityStep {
        var server = ServerMetrics()
        server.routes["http_server_request_duration_seconds{method=\"POST\",route=\"/api/requests/:id/claim\"}"] = .init(
            count: 100,
            meanMs: routeP99 / 3,
            p99Ms: routeP99
        )
        if let acquireP99 {
            server.histograms["db_pool_acquire_duration_seconds{pool=\"primary\"}"] = .init(count: 100, meanMs: acquireP99 / 3, p99Ms: acquireP99)
        }
        if let timeouts { server.counters["db_pool_acquire_timeouts_total{pool=\"primary\"}"] = timeouts }
        var engine = EngineHealth(scheduled: 100, dropped: 0, dispatch: Fixtures.histogram(millis: [0.1]), cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
        if !trustworthy { engine = engine.judged(operationP50Ms: nil, operationMaxMs: nil, connectionQueued: 12, connectionWaitP99Ms: 30) }
        return CapacityStep(
            phase: "grow",
            offeredRate: rate,
            achievedRate: rate,
            seconds: 4,
            operations: [:],
            allOutcomes: [:],
            errorRate: 0,
            errors: [:],
            engine: engine,
            server: server,
            resources: ResourceUsage(coresUsed: cores, machineBusy: busy, cores: 2, postgresWaits: waits, samples: 4),
            met: met,
            sloMet: met || !trustworthy,
            verdict: verdict ?? (met ? "" : "p99 of claim 900 ms > 100 ms")
        )
    }

    static let spec = SearchSpec(operation: "claim", p99Ms: 100)

    @Test func poolWaitWhenAcquireIsAQuarterOfTheRoute() {
        let steps = [Self.step(rate: 50, met: true), Self.step(rate: 75, met: false, routeP99: 200, acquireP99: 80)]
        #expect(LimitDiagnosis.diagnose(steps: steps, search: Self.spec).limitedBy == "pool wait")
        let timeouts = [Self.step(rate: 50, met: false, acquireP99: 1, timeouts: 3)]
        #expect(LimitDiagnosis.diagnose(steps: timeouts, search: Self.spec).limitedBy == "pool wait")
    }

    @Test func theBiggestCPUUserOnASaturatedMachine() {
        let postgres = [Self.step(rate: 900, met: false, acquireP99: 1, cores: ["postgres": 1.1, "server": 0.5, "engine": 0.2], busy: 0.97)]
        let (limit, evidence) = LimitDiagnosis.diagnose(steps: postgres, search: Self.spec)
        #expect(limit == "PostgreSQL CPU")
        #expect(evidence.contains("97%"))
        let server = [Self.step(rate: 900, met: false, cores: ["postgres": 0.3, "server": 1.4], busy: 0.95)]
        #expect(LimitDiagnosis.diagnose(steps: server, search: Self.spec).limitedBy == "server CPU")
        let engine = [Self.step(rate: 900, met: false, cores: ["server": 0.4, "engine": 1.3], busy: 0.95)]
        #expect(LimitDiagnosis.diagnose(steps: engine, search: Self.spec).limitedBy == "load engine")
    }

    @Test func locksAndTheEngineAndMaxRate() {
        let locks = [Self.step(rate: 300, met: false, cores: ["postgres": 0.3], busy: 0.4, waits: ["Lock:tuple": 3.5, "CPU": 0.5])]
        #expect(LimitDiagnosis.diagnose(steps: locks, search: Self.spec).limitedBy == "PostgreSQL locks")
        let engine = [Self.step(rate: 300, met: false, trustworthy: false, verdict: "engine not trustworthy: 12 requests waited")]
        #expect(LimitDiagnosis.diagnose(steps: engine, search: Self.spec).limitedBy == "load engine")
        let never = [Self.step(rate: 50, met: true), Self.step(rate: 75, met: true)]
        #expect(LimitDiagnosis.diagnose(steps: never, search: Self.spec).limitedBy == "max rate")
    }

    static func searchedCell(id: Int, pool: Int, mode: String, capacity: Double, limitedBy: String) -> CellReport {
        var cell = CellReport(
            id: id,
            label: "poolSize=\(pool) mode=\(mode)",
            axes: ["db.primary.poolSize": .int(pool), "sideEffects.mode": .string(mode)],
            repeatIndex: 0,
            config: .null,
            scenario: "dashboard",
            load: LoadSpec(),
            primaryOperation: "create_request"
        )
        cell.capacity = Capacity(rate: capacity, limitedBy: limitedBy, evidence: "", search: Self.spec, steps: [])
        return cell
    }

    @Test func theKneeIsTheSmallestPoolWithinFivePercentOfTheBest() {
        let cells = [
            Self.searchedCell(id: 0, pool: 1, mode: "queued", capacity: 300, limitedBy: "pool wait"),
            Self.searchedCell(id: 1, pool: 2, mode: "queued", capacity: 700, limitedBy: "pool wait"),
            Self.searchedCell(id: 2, pool: 4, mode: "queued", capacity: 1380, limitedBy: "PostgreSQL CPU"),
            Self.searchedCell(id: 3, pool: 8, mode: "queued", capacity: 1420, limitedBy: "PostgreSQL CPU"),
            Self.searchedCell(id: 4, pool: 1, mode: "sync", capacity: 200, limitedBy: "pool wait"),
            Self.searchedCell(id: 5, pool: 2, mode: "sync", capacity: 400, limitedBy: "server CPU"),
        ]
        let knees = Knee.find(cells: cells)
        let queued = knees.first { $0.group == "mode=queued" }
        #expect(queued?.poolSize == 4)
        #expect(queued?.sentence.hasPrefix("pool 4: PostgreSQL CPU at 1,380 claim/s; pool 1: pool wait") == true, "\(queued?.sentence ?? "")")
        #expect(knees.first { $0.group == "mode=sync" }?.poolSize == 2)
    }

    @Test func matrixSearchObjectParses() throws {
        let json = """
            {"scenario": "dashboard", "search": {"operation": "claim", "p99Ms": 100, "maxErrorRate": 0.01, "startRate": 50,
             "growth": 1.5, "stepSeconds": 10, "refine": 3}}
            """
        let spec = try JSONDecoder().decode(MatrixSpec.self, from: Data(json.utf8))
        #expect(spec.search == SearchSpec(operation: "claim", p99Ms: 100, maxErrorRate: 0.01, startRate: 50, growth: 1.5, stepSeconds: 10, refine: 3))
        try spec.validate()
        var bad = spec
        bad.search?.growth = 1
        #expect(throws: ScenarioError.self) { try bad.validate() }
    }

    @Test func shippedCapacityMatrixParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("matrices/capacity.json").path
        let spec = try MatrixSpec.load(path: path)
        #expect(spec.search != nil)
        #expect(spec.axes.first { $0.path == "db.primary.poolSize" }?.values.count == 7)
        #expect(spec.cells().count == 28)
    }

    @Test func shuffleIsAPermutationDrawnFromTheSeed() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("matrices/capacity.json").path
        let spec = try MatrixSpec.load(path: path)
        let a = spec.shuffledCells(seed: 7).map(\.index)
        #expect(a == spec.shuffledCells(seed: 7).map(\.index))
        #expect(a != spec.shuffledCells(seed: 8).map(\.index))
        #expect(a.sorted() == spec.cells().map(\.index))
    }
}
