import Profiler
import Testing

@testable import Scenarios

@Suite struct LatencyHistogramTests {
    @Test func percentilesOfAKnownDistribution() {
        // 1…1000 ms, one sample each.
        let histogram = Fixtures.histogram(millis: (1...1000).map(Double.init))
        #expect(histogram.count == 1000)
        #expect(abs(histogram.percentileMillis(50) - 500) <= 1)
        #expect(abs(histogram.percentileMillis(99) - 990) <= 1)
        #expect(abs(histogram.maxMillis - 1000) <= 1)
        #expect(abs(histogram.meanMillis - 500.5) < 1)
    }

    @Test func microsecondResolutionWithThreeSignificantDigits() {
        var histogram = LatencyHistogram()
        histogram.record(micros: 1234)
        #expect(abs(histogram.percentileMillis(100) - 1.234) < 0.002)
        histogram.record(micros: 12_345_678)
        #expect(abs(histogram.maxMillis - 12_345.678) / 12_345.678 < 0.001)
    }

    @Test func durationsConvertToMicroseconds() {
        #expect(Duration.milliseconds(20).microseconds == 20_000)
        #expect(Duration.seconds(-1).microseconds == -1_000_000)
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(20))
        #expect(abs(histogram.percentileMillis(50) - 20) < 0.05)
        // A negative duration (a clock step) is clamped, never a crash or a huge value.
        histogram.record(.seconds(-1))
        #expect(histogram.count == 2)
        #expect(histogram.percentileMillis(0) <= 0.002)
    }

    @Test func hgrmOutputIsThePercentileDistributionFormat() {
        let text = Fixtures.histogram(millis: [1, 2, 3, 50, 100]).percentileDistribution()
        let lines = text.split(separator: "\n")
        #expect(lines.first?.contains("Value") == true)
        #expect(lines.first?.contains("Percentile") == true)
        #expect(text.contains("#[Max"))
        #expect(text.contains("Total count    =            5"))
        // Data rows: value, percentile fraction, total count (, 1/(1-p)).
        let rows = lines.dropFirst().filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ") }
        #expect(rows.count > 3)
        #expect(rows.allSatisfy { $0.count >= 3 && Double($0[0]) != nil && Double($0[1]) != nil })
    }

    @Test func recorderSummarisesOperationsAndErrors() {
        let recorder = Recorder()
        recorder.record("create_request", .milliseconds(10))
        recorder.record("create_request", .milliseconds(30))
        recorder.recordError("create_request", code: "rate_limited")
        recorder.recordError("claim", code: "already_claimed")
        let snapshot = recorder.snapshot()
        #expect(snapshot.operations == ["claim", "create_request"])
        #expect(snapshot.stats()["create_request"]?.count == 2)
        #expect(snapshot.stats()["create_request"]?.errors == 1)
        #expect(snapshot.errorsByCode == ["rate_limited": 1, "already_claimed": 1])
    }
}
