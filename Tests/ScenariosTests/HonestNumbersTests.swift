import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import Scenarios

/// The numbers mean what they say: failures stay in the latency data, the engine judges itself
/// relative to what it measures, and the gate refuses untrustworthy runs.
@Suite struct HonestNumbersTests {
    @Test func aTimedOutRequestAppearsInTheAllOutcomesHistogram() async throws {
        let measurement = try await withLocalServer({ router in
            router.get("/health") { _, _ in
                try await Task.sleep(for: .milliseconds(400))
                return "ok"
            }
            router.get("/metrics") { _, _ in "# no metrics\n" }
        }) { baseURL in
            var cell = CellReport(
                id: 0,
                label: "timeouts",
                axes: [:],
                repeatIndex: 0,
                config: .null,
                scenario: "health-ceiling",
                load: LoadSpec(rate: 5, duration: 1, warmup: 0, arrival: .constant),
                primaryOperation: "health"
            )
            var executor = CellExecutor(baseURL: baseURL, providerURL: baseURL, grantOperator: { _ in }, status: LiveStatus())
            executor.requestTimeout = .milliseconds(100)
            let measurement = await executor.execute(HealthCeilingScenario(), options: ScenarioOptions(), cell: &cell)
            return (cell, measurement)
        }
        let (cell, data) = measurement
        #expect(cell.failure == nil)
        // No success, five timeouts: the successes-only histogram is empty, the all-outcomes one
        // holds every timeout with (at least) the time it took.
        #expect((data.histograms["health"]?.count ?? 0) == 0)
        let all = try #require(data.allOutcomes["health"])
        #expect(all.count == 5)
        #expect(all.percentileMillis(50) >= 99)
        #expect(cell.errors["transport_timeout"] == 5)
        #expect(cell.allOutcomes["health"]?.count == 5)
        #expect(cell.errorRate == 1)
    }

    /// Late starts alone make every latency an upper bound; drops, client-side queueing and a
    /// saturated generator change the load the server saw, so those bound nothing.
    @Test func lateStartsAloneMakeLatenciesUpperBounds() {
        let dispatch = Fixtures.histogram(millis: Array(repeating: 0.1, count: 97) + [2, 2, 2])
        let late = EngineHealth(scheduled: 100, dropped: 0, dispatch: dispatch, cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
            .judged(operationP50Ms: 5, operationMaxMs: 12)
        #expect(!late.trustworthy)
        #expect(late.trust == .upperBounds)
        let onTime = EngineHealth(scheduled: 100, dropped: 0, dispatch: Fixtures.histogram(millis: [0.1]), cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
        #expect(onTime.trustworthy)
        #expect(onTime.trust == .trustworthy, "a trustworthy run is exact, not a bound")
        let dropping = EngineHealth(scheduled: 100, dropped: 3, dispatch: dispatch, cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
        #expect(dropping.judged(operationP50Ms: 5, operationMaxMs: 12).trust == .untrustworthy)
        #expect(late.judged(operationP50Ms: 5, operationMaxMs: 12, connectionQueued: 4, connectionWaitP99Ms: 3).trust == .untrustworthy)
        let saturated = EngineHealth(scheduled: 100, dropped: 0, dispatch: dispatch, cpuSeconds: 1.9, wallSeconds: 1, cores: 2)
        #expect(saturated.judged(operationP50Ms: 5, operationMaxMs: 12).trust == .untrustworthy)
    }

    @Test func theEngineJudgesItselfRelativeToTheOperation() {
        let dispatch = Fixtures.histogram(millis: Array(repeating: 0.1, count: 97) + [2, 2, 2])
        let health = EngineHealth(scheduled: 100, dropped: 0, dispatch: dispatch, cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
        // A 2 ms dispatch p99 is too much for a 5 ms operation (limit max(1 ms, 0.5 ms) = 1 ms) …
        let fast = health.judged(operationP50Ms: 5, operationMaxMs: 200)
        #expect(!fast.trustworthy)
        #expect(fast.dispatchLimitMs == 1)
        #expect(fast.reasons.contains { $0.contains("dispatch delay p99 2.0 ms > 1.0 ms") }, "\(fast.reasons)")
        // A p99 just over its limit is printed with the digits that tell them apart.
        let close = EngineHealth(
            scheduled: 100,
            dropped: 0,
            dispatch: Fixtures.histogram(millis: Array(repeating: 0.1, count: 97) + [1.04, 1.04, 1.04]),
            cpuSeconds: 0.1,
            wallSeconds: 1,
            cores: 2
        ).judged(operationP50Ms: 5, operationMaxMs: 200)
        #expect(close.reasons.contains { $0.contains("> 1.000 ms") && !$0.contains("p99 1.0 ms") }, "\(close.reasons)")
        // … but fine for a 100 ms operation (limit 10 ms).
        let slow = health.judged(operationP50Ms: 100, operationMaxMs: 500)
        #expect(slow.trustworthy, "\(slow.reasons)")
        // A dispatch max above 10 % of the measured max is a stall of the engine itself.
        #expect(!health.judged(operationP50Ms: 100, operationMaxMs: 15).trustworthy)
        // Requests that waited for a client connection.
        let queued = health.judged(operationP50Ms: 100, operationMaxMs: 500, connectionQueued: 3, connectionWaitP99Ms: 12)
        #expect(!queued.trustworthy)
        #expect(queued.reasons.contains { $0.contains("waited for a client connection") })
    }

    @Test func requestsWaitingForAConnectionAreCounted() async throws {
        let waits = try await withLocalServer({ router in
            router.get("/slow") { _, _ in
                try await Task.sleep(for: .milliseconds(50))
                return "ok"
            }
        }) { baseURL in
            let api = APIClient(baseURL: baseURL, connections: 1)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = await api.get("/slow") } }
            }
            let waits = api.takeConnectionWaits()
            await api.shutdown()
            return waits
        }
        #expect(waits.queued == 2)
        #expect(waits.waits.percentileMillis(100) >= 40)
    }

    @Test func anUntrustworthyRunMakesTheGateExitTwo() throws {
        var (cell, histograms) = Fixtures.cell(id: 0, pool: 8, mode: "queued", base: 10, rate: 19.5)
        let evaluator = try GateEvaluator(budget: Budget(scenario: "exchange-flow", thresholds: ["create_request": ["p(99) < 250ms"]]))
        #expect(GateEvaluator.exitCode(rows: evaluator.evaluate(cells: [cell], histograms: [0: histograms]), cells: [cell]) == 0)
        cell.engine = cell.engine?.judged(operationP50Ms: 10, operationMaxMs: 30, connectionQueued: 40, connectionWaitP99Ms: 25)
        let rows = evaluator.evaluate(cells: [cell], histograms: [0: histograms])
        #expect(rows.allSatisfy { $0.passed })
        #expect(GateEvaluator.exitCode(rows: rows, cells: [cell]) == 2)
        #expect(GateEvaluator.inconclusiveReason(rows: rows, cells: [cell])?.contains("client connection") == true)
        #expect(GateEvaluator.exitCode(rows: rows, cells: [cell], allowUntrustworthy: true) == 0)
    }

    /// Late starts put each latency between the measured one less the largest dispatch delay
    /// and the measured one: a threshold with one verdict across that range is judged, any
    /// other leaves the gate inconclusive.
    @Test func theGateJudgesUpperBoundsWhereTheLateStartsCannotDecide() throws {
        var (cell, histograms) = Fixtures.cell(id: 0, pool: 8, mode: "queued", base: 10, rate: 19.5)
        // Latencies 10…30 ms; the engine started operations up to 8 ms late, and nothing else failed.
        cell.engine = EngineHealth(
            scheduled: 200,
            dropped: 0,
            dispatch: Fixtures.histogram(millis: [0.1, 8]),
            cpuSeconds: 1,
            wallSeconds: 10,
            cores: 2
        )
        .judged(operationP50Ms: 20, operationMaxMs: 30)
        #expect(cell.trust == .upperBounds)
        func verdict(_ threshold: String, allow: Bool = false) throws -> (code: Int32, reason: String?) {
            let evaluator = try GateEvaluator(budget: Budget(scenario: "exchange-flow", thresholds: ["create_request": [threshold]]))
            let rows = evaluator.evaluate(cells: [cell], histograms: [0: histograms])
            return (
                GateEvaluator.exitCode(rows: rows, cells: [cell], allowUntrustworthy: allow),
                GateEvaluator.inconclusiveReason(rows: rows, cells: [cell])
            )
        }
        // p99 ≈ 30 ms: under 250 ms even as an upper bound; over 5 ms even less 8 ms.
        #expect(try verdict("p(99) < 250ms") == (0, nil))
        #expect(try verdict("p(99) < 5ms") == (1, nil))
        #expect(try verdict("rate > 10/s") == (0, nil))
        // Under 25 ms is possible once 8 ms of lateness are taken off, but not shown.
        let close = try verdict("p(99) < 25ms")
        #expect(close.code == 2)
        #expect(close.reason?.contains("which can decide it either way") == true, "\(close.reason ?? "")")
        #expect(try verdict("p(99) < 25ms", allow: true).code == 1)
        // A floor on latency that holds by less than the lateness is not shown either.
        #expect(try verdict("p(50) > 15ms").code == 2)
        #expect(try verdict("p(50) > 5ms") == (0, nil))
    }

    @Test func anyPercentileIsReadFromTheHistograms() throws {
        let (cell, histograms) = Fixtures.cell(id: 0, pool: 8, mode: "queued", base: 10, rate: 19.5)
        let evaluator = try GateEvaluator(
            budget: Budget(scenario: "exchange-flow", thresholds: ["create_request": ["p(97.5) < 29ms", "p(12) < 20ms"]])
        )
        let rows = evaluator.evaluate(cells: [cell], histograms: [0: histograms])
        #expect(rows.allSatisfy { $0.measured != nil })
        // 10…30 ms evenly: p(97.5) ≈ 29.5 ms breaches 29 ms; p(12) ≈ 12.4 ms passes.
        #expect(rows.first { $0.threshold.hasPrefix("p(97.5)") }?.passed == false)
        #expect(rows.first { $0.threshold.hasPrefix("p(12)") }?.passed == true)
    }

    @Test func droppedArrivalsCountAsErrors() {
        var cell = Fixtures.emptyCell()
        let snapshot = RecorderSnapshot(histograms: ["create_request": Fixtures.histogram(millis: Array(repeating: 5, count: 90))])
        let health = EngineHealth(scheduled: 100, dropped: 10, dispatch: Fixtures.histogram(millis: [0.1]), cpuSeconds: 0.1, wallSeconds: 1, cores: 2)
        cell.apply(ScenarioOutcome(snapshot: snapshot, health: health, measuredSeconds: 10, primaryOperation: "create_request"))
        #expect(abs(cell.errorRate - 0.1) < 1e-9)
        #expect(!cell.trustworthy)
    }

    @Test func repeatsMergeHistogramsInsteadOfAveragingPercentiles() {
        let fast = Fixtures.histogram(millis: Array(repeating: 10, count: 99) + [20])
        let slow = Fixtures.histogram(millis: Array(repeating: 10, count: 90) + Array(repeating: 500, count: 10))
        var cells: [CellReport] = []
        for (id, _) in [fast, slow].enumerated() {
            cells.append(
                CellReport(
                    id: id,
                    label: "same",
                    axes: [:],
                    repeatIndex: id,
                    config: .null,
                    scenario: "exchange-flow",
                    load: LoadSpec(),
                    primaryOperation: "create_request"
                )
            )
        }
        let merged = RepeatMerge.merged(
            cells: cells,
            measurements: [0: CellMeasurement(allOutcomes: ["create_request": fast]), 1: CellMeasurement(allOutcomes: ["create_request": slow])]
        )
        let stats = merged?["same"]?["create_request"]
        // 200 requests, 10 at 500 ms: the merged p99 is 500 ms (an average of the two p99s would say ~260 ms).
        #expect(stats?.count == 200)
        #expect((stats?.p99Ms ?? 0) >= 499)
    }
}
