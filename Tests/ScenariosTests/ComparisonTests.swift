import Foundation
import Profiler
import ProviderSimulator
import Testing

@testable import Scenarios

/// `scenarios compare` decides with a statistical test over repeats, never a fixed ±10 %.
@Suite struct ComparisonTests {
    /// One repeat's histogram: `count` log-normal latencies around `medianMs` (σ = 0.5, like the
    /// provider simulator), drawn from `seed`.
    static func repeatRun(medianMs: Double, seed: UInt64, count: Int = 800) -> LatencyHistogram {
        var generator = SplitMix64(seed: seed)
        var histogram = LatencyHistogram()
        for _ in 0..<count {
            // Box-Muller.
            let u1 = max(generator.nextUnitInterval(), 1e-12)
            let u2 = generator.nextUnitInterval()
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            histogram.record(micros: UInt64(medianMs * exp(0.5 * normal) * 1000))
        }
        return histogram
    }

    static func samples(medianMs: Double, seeds: [UInt64]) -> Comparison.Samples {
        Comparison.Samples(latencies: ["mode=sync": ["claim": seeds.map { repeatRun(medianMs: medianMs, seed: $0) }]])
    }

    @Test func twoRepeatsOfOneConfigurationShowNoSignificantChange() {
        let comparison = Comparison(baseline: Self.samples(medianMs: 100, seeds: [1, 2]), candidate: Self.samples(medianMs: 100, seeds: [3, 4]))
        #expect(comparison.verdict(cell: "mode=sync") == .noSignificantChange, "\(comparison.table())")
        #expect(comparison.rows.allSatisfy { $0.verdict == .noSignificantChange })
        #expect(comparison.regressions.isEmpty)
    }

    @Test func aProviderThreeTimesSlowerIsARegression() {
        let comparison = Comparison(baseline: Self.samples(medianMs: 100, seeds: [1, 2]), candidate: Self.samples(medianMs: 300, seeds: [3, 4]))
        #expect(comparison.verdict(cell: "mode=sync") == .regression, "\(comparison.table())")
        #expect(comparison.regressions.contains { $0.metric == "p50" })
        #expect(comparison.regressions.contains { $0.metric == "p99" })
        // And the other way round it is an improvement.
        let back = Comparison(baseline: Self.samples(medianMs: 300, seeds: [3, 4]), candidate: Self.samples(medianMs: 100, seeds: [1, 2]))
        #expect(back.verdict(cell: "mode=sync") == .improvement)
    }

    @Test func oneRepeatIsNotEnough() {
        let comparison = Comparison(baseline: Self.samples(medianMs: 100, seeds: [1]), candidate: Self.samples(medianMs: 300, seeds: [3, 4]))
        #expect(comparison.verdict(cell: "mode=sync") == .notEnoughRepeats)
        #expect(comparison.table().contains("not enough repeats"))
    }

    @Test func capacitiesUseMannWhitney() {
        // 4 + 4 repeats, fully separated: the exact two-sided p is 2/70 ≈ 0.029.
        #expect(abs(MannWhitney.pValue([100, 101, 102, 103], [200, 201, 202, 203]) - 2.0 / 70) < 1e-9)
        // 2 + 2 can never reach 5 %.
        #expect(MannWhitney.pValue([100, 101], [200, 201]) > 0.05)
        let separated = Comparison(
            baseline: Comparison.Samples(capacities: ["pool=4": [100, 101, 102, 103]]),
            candidate: Comparison.Samples(capacities: ["pool=4": [60, 61, 62, 63]])
        )
        #expect(separated.verdict(cell: "pool=4") == .regression)
        let few = Comparison(baseline: Comparison.Samples(capacities: ["pool=4": [100]]), candidate: Comparison.Samples(capacities: ["pool=4": [60]]))
        #expect(few.verdict(cell: "pool=4") == .notEnoughRepeats)
    }

    @Test func unmatchedCellsAreListed() {
        let comparison = Comparison(
            baseline: Comparison.Samples(latencies: ["a": ["claim": [Self.repeatRun(medianMs: 5, seed: 1)]]]),
            candidate: Comparison.Samples(latencies: ["b": ["claim": [Self.repeatRun(medianMs: 5, seed: 1)]]])
        )
        #expect(comparison.unmatched == ["a", "b"])
        #expect(comparison.table().contains("cells in only one report"))
    }
}
