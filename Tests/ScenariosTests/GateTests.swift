import Foundation
import Testing

@testable import Scenarios

@Suite struct GateTests {
    @Test func parsesThresholds() throws {
        let p99 = try Threshold.parse("p(99) < 250ms")
        #expect(p99.metric == .percentile(99))
        #expect(p99.comparison == .less)
        #expect(p99.limit == 250)
        #expect(try Threshold.parse("p(99.9)<=1.5s").limit == 1500)
        #expect(try Threshold.parse("med < 800us").limit == 0.8)
        #expect(try Threshold.parse("avg < 2 ms").metric == .mean)
        #expect(try Threshold.parse("rate < 1%").limit == 0.01)
        #expect(try Threshold.parse("rate < 0.01").limit == 0.01)
        let throughput = try Threshold.parse("rate > 15/s")
        #expect(throughput.metric == .rate && throughput.comparison == .greater && throughput.limit == 15)
        #expect(try Threshold.parse("count >= 3").comparison == .greaterOrEqual)
    }

    @Test func rejectsMalformedThresholds() {
        for bad in ["p(99) 250ms", "p(0) < 1ms", "p(101) < 1ms", "foo < 1", "p(99) < fast", "p(99) < 250", "p(99) < 3 hours"] {
            #expect(throws: ScenarioError.self, "\(bad)") { try Threshold.parse(bad) }
        }
    }

    static func budget(_ thresholds: [String: [String]]) -> Budget {
        Budget(scenario: "exchange-flow", thresholds: thresholds)
    }

    @Test func passingBudgetExitsZero() throws {
        let (cell, histograms) = Fixtures.cell(id: 0, pool: 8, mode: "queued", base: 10, rate: 19.5, errors: 1)
        let evaluator = try GateEvaluator(
            budget: Self.budget([
                "create_request": ["p(99) < 250ms", "p(50) < 50ms", "p(95) < 100ms"],
                "errors": ["rate < 0.01"],
                "throughput": ["rate > 15/s"],
                "checks": ["rate >= 1"],
                "counters.ws_completions_observed": ["count > 100"],
            ])
        )
        let rows = evaluator.evaluate(cells: [cell], histograms: [0: histograms])
        #expect(rows.count == 7)
        #expect(rows.allSatisfy { $0.passed }, "\(GateEvaluator.table(rows))")
        #expect(GateEvaluator.exitCode(rows: rows, cells: [cell]) == 0)
    }

    @Test func breachedBudgetExitsOne() throws {
        let (cell, _) = Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 100, rate: 10, errors: 20)
        let evaluator = try GateEvaluator(
            budget: Self.budget([
                "create_request": ["p(99) < 250ms", "p(50) < 50ms"],
                "errors": ["rate < 0.01"],
                "throughput": ["rate > 15/s"],
                "missing_operation": ["p(99) < 1s"],
            ])
        )
        let rows = evaluator.evaluate(cells: [cell])
        let breached = Set(rows.filter { !$0.passed }.map { "\($0.key) \($0.threshold)" })
        #expect(
            breached == [
                "create_request p(99) < 250ms", "create_request p(50) < 50ms", "errors rate < 0.01", "throughput rate > 15/s",
                "missing_operation p(99) < 1s",
            ]
        )
        #expect(GateEvaluator.exitCode(rows: rows, cells: [cell]) == 1)
        let table = GateEvaluator.table(rows)
        #expect(table.contains("BREACH"))
        #expect(table.contains("not measured"))
    }

    @Test func aCellThatCouldNotRunExitsTwo() throws {
        var cell = Fixtures.emptyCell()
        cell.failure = "server did not start"
        let evaluator = try GateEvaluator(budget: Self.budget(["create_request": ["p(99) < 250ms"]]))
        let rows = evaluator.evaluate(cells: [cell])
        #expect(GateEvaluator.exitCode(rows: rows, cells: [cell]) == 2)
        #expect(GateEvaluator.exitCode(rows: [], cells: []) == 2)
    }

    @Test func junitHasOneCasePerThresholdAndFailuresForBreaches() throws {
        let (cell, _) = Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 100, rate: 10)
        let evaluator = try GateEvaluator(budget: Self.budget(["create_request": ["p(99) < 250ms", "p(50) < 1s"]]))
        let xml = JUnitReport.render(suite: "ci", rows: evaluator.evaluate(cells: [cell]), seconds: 1)
        #expect(xml.components(separatedBy: "<testcase").count - 1 == 2)
        #expect(xml.components(separatedBy: "<failure").count - 1 == 1)
        #expect(xml.contains("tests=\"2\" failures=\"1\""))
    }

    @Test func shippedCIBudgetParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("budgets/ci.json").path
        let budget = try Budget.load(path: path)
        #expect(ScenarioRegistry.named(budget.scenario) != nil)
        #expect(budget.load.duration + budget.load.warmup <= 30)
        #expect(try !budget.parsedThresholds().isEmpty)
    }
}
