import Testing
@testable import Scenarios

@Suite struct ComparisonTests {
    @Test func flagsChangesBeyondNoiseOnly() {
        let (baseline, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 10, rate: 19)])
        let (same, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 10.5, rate: 19)])
        let (slower, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 20, rate: 19)])
        #expect(Comparison(baseline: baseline, candidate: same).regressions.isEmpty)
        let regressions = Comparison(baseline: baseline, candidate: slower).regressions
        #expect(regressions.contains { $0.operation == "create_request" && $0.metric == "p99" })
        #expect(Comparison(baseline: slower, candidate: baseline).regressions.isEmpty)
    }

    @Test func recordedSpreadWidensTheNoiseBand() {
        var (baseline, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 10, rate: 19)])
        let (slower, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 13, rate: 19)])
        #expect(!Comparison(baseline: baseline, candidate: slower).regressions.isEmpty)
        baseline.variability = ["poolSize=8 mode=sync": ["create_request": 0.5, "claim": 0.5]]
        #expect(Comparison(baseline: baseline, candidate: slower).regressions.isEmpty)
    }

    @Test func unmatchedCellsAreListed() {
        let (a, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 8, mode: "sync", base: 10, rate: 19)])
        let (b, _) = Fixtures.report(cells: [Fixtures.cell(id: 0, pool: 2, mode: "sync", base: 10, rate: 19)])
        let comparison = Comparison(baseline: a, candidate: b)
        #expect(comparison.unmatched.count == 2)
        #expect(comparison.table().contains("cells in only one report"))
    }
}
