import Foundation
import Profiler
import Testing

@testable import Scenarios

@Suite struct IntervalLogTests {
    @Test func compressedHistogramsRoundTrip() throws {
        var histogram = LatencyHistogram()
        for value: UInt64 in [1, 2, 3, 999, 1000, 2047, 2048, 5000, 123_456, 7_654_321] { histogram.record(micros: value) }
        histogram.record(micros: 450, count: 1000)
        let decoded = try #require(HdrEncoding.decode(HdrEncoding.encode(histogram)))
        #expect(decoded.count == histogram.count)
        for p in [1.0, 50, 90, 99, 99.9, 100] {
            // The encoding keeps counts per bucket (3 significant digits), not exact values.
            let a = UInt64(decoded.percentileMillis(p) * 1000)
            let b = UInt64(histogram.percentileMillis(p) * 1000)
            #expect(histogram.histogram.valuesAreEquivalent(a, b), "p\(p): \(a) vs \(b)")
        }
    }

    @Test func zigZagMatchesHdrHistogramsEncoding() {
        var buffer: [UInt8] = []
        HdrEncoding.putZigZag(&buffer, 1)
        HdrEncoding.putZigZag(&buffer, -1)
        HdrEncoding.putZigZag(&buffer, 64)
        HdrEncoding.putZigZag(&buffer, -3)
        #expect(buffer == [0x02, 0x01, 0x80, 0x01, 0x05])
        var offset = 0
        #expect(HdrEncoding.getZigZag(buffer, &offset) == 1)
        #expect(HdrEncoding.getZigZag(buffer, &offset) == -1)
        #expect(HdrEncoding.getZigZag(buffer, &offset) == 64)
        #expect(HdrEncoding.getZigZag(buffer, &offset) == -3)
    }

    @Test func aLogHoldsEveryIntervalPerOperation() {
        var slices: [IntervalSlice] = []
        for second in 0..<3 {
            let claim = Fixtures.histogram(millis: [Double(second + 1) * 10])
            let create = Fixtures.histogram(millis: [1, 2])
            slices.append(IntervalSlice(start: Double(second), end: Double(second + 1), histograms: ["claim": claim, "create_request": create]))
        }
        let text = IntervalLog.render(slices, startTime: 1_700_000_000)
        #expect(text.hasPrefix("#[Histogram log format version 1.3]"))
        let read = IntervalLog.read(text)
        #expect(read["claim"]?.count == 3)
        #expect(read["claim"]?.last?.histogram.maxMillis ?? 0 >= 29.9)
        #expect(IntervalLog.totals(text)["create_request"]?.count == 6)
    }
}
