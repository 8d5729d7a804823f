import Profiler
import Testing

@Suite struct ProfilerTests {
    @Test func percentilesOfKnownValues() {
        var histogram = LatencyHistogram()
        for ms in 1...1000 { histogram.record(.milliseconds(ms)) }
        #expect(histogram.count == 1000)
        // HdrHistogram with 3 significant digits: within 0.1 %.
        #expect(abs(histogram.percentileMillis(50) - 500) <= 0.5)
        #expect(abs(histogram.percentileMillis(99) - 990) <= 0.99)
        #expect(abs(histogram.maxMillis - 1000) <= 1)
    }

    @Test func durationUnits() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.microseconds(250).microseconds == 250)
    }

    @Test func countersCarryTheirFullName() {
        let registry = MetricsRegistry()
        registry.counter("things_total", help: "Things.", labels: [("kind", "a")]).increment(by: Int64(3))
        #expect(registry.render().contains(#"things_total{kind="a"} 3"#))
    }

    @Test func jemallocSeesSwiftAllocations() {
        guard let before = HeapStatistics.read() else {
            Issue.record("jemalloc statistics unavailable: is the binary linked against jemalloc?")
            return
        }
        let block = [UInt8](repeating: 1, count: 64 << 20)
        let during = HeapStatistics.read()
        #expect(block.count == 64 << 20)
        #expect((during?.allocatedBytes ?? 0) >= before.allocatedBytes + (60 << 20))
        #expect((during?.residentBytes ?? 0) > 0)
    }
}
