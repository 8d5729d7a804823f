import Foundation
import ProviderSimulator
import Testing

@Suite("Latency model (pure)")
struct LatencyModelTests {
    @Test func fixedAlwaysReturnsTheConfiguredLatency() {
        var random = SplitMix64(seed: 1)
        let model = LatencyModel(medianMs: 300, distribution: .fixed, sigma: 0.5)
        for _ in 0..<100 {
            #expect(model.sample(using: &random) == .milliseconds(300))
        }
    }

    @Test func lognormalMedianIsTheConfiguredLatency() {
        var random = SplitMix64(seed: 7)
        let model = LatencyModel(medianMs: 300, distribution: .lognormal, sigma: 0.5)
        let samples = (0..<20_001).map { _ in model.sampleMilliseconds(using: &random) }.sorted()
        let median = samples[samples.count / 2]
        // The standard error of the median here is under 1%; a mean-based draw would land near 265.
        #expect(abs(median - 300) / 300 < 0.03, "median \(median)")
        // The spread of ln(latency) is sigma.
        let logs = samples.map { log($0) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count - 1)).squareRoot()
        #expect(abs(sd - 0.5) < 0.02, "sd \(sd)")
        // A long right tail: p99 well above the median, and no sample below zero.
        #expect(samples[Int(Double(samples.count) * 0.99)] > 2.5 * 300)
        #expect(samples.first! > 0)
    }

    @Test func lognormalWithZeroSigmaIsFixed() {
        var random = SplitMix64(seed: 3)
        let model = LatencyModel(medianMs: 120, distribution: .lognormal, sigma: 0)
        #expect((0..<50).allSatisfy { _ in model.sampleMilliseconds(using: &random) == 120 })
    }

    @Test func samplesAreCapped() {
        var random = SplitMix64(seed: 5)
        let model = LatencyModel(medianMs: 60_000, distribution: .lognormal, sigma: 3)
        let samples = (0..<1000).map { _ in model.sampleMilliseconds(using: &random) }
        #expect(samples.max()! <= LatencyModel.maximumMilliseconds)
        #expect(samples.contains(LatencyModel.maximumMilliseconds))
    }

    @Test func seededDrawsRepeat() {
        var first = SplitMix64(seed: 99)
        var second = SplitMix64(seed: 99)
        let model = LatencyModel(medianMs: 300, distribution: .lognormal, sigma: 0.5)
        let a = (0..<10).map { _ in model.sample(using: &first) }
        let b = (0..<10).map { _ in model.sample(using: &second) }
        #expect(a == b)
        #expect(Set(a).count == 10)
    }
}
