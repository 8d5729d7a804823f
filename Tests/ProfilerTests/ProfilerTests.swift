import Profiler
import Testing

@Suite struct ProfilerTests {
    @Test func percentilesOfKnownValues() {
        let recorder = PercentileRecorder()
        for ms in 1...1000 { recorder.record(.milliseconds(ms)) }
        let snapshot = recorder.snapshot()
        #expect(snapshot.count == 1000)
        // HdrHistogram with 3 significant digits: within 0.1 %.
        #expect(abs(Double(snapshot.p50.microseconds) - 500_000) <= 500)
        #expect(abs(Double(snapshot.p99.microseconds) - 990_000) <= 990)
        #expect(abs(Double(snapshot.max.microseconds) - 1_000_000) <= 1000)
        recorder.reset()
        #expect(recorder.snapshot().count == 0)
    }

    @Test func latencyHistogramFeedsBucketsAndPercentiles() {
        let registry = MetricsRegistry()
        let histogram = LatencyHistogram(registry: registry, name: "test_latency_seconds", help: "A test histogram.", labels: [("op", "x")])
        histogram.record(.microseconds(300))
        histogram.record(.milliseconds(30))
        let text = registry.render()
        #expect(text.contains("# HELP test_latency_seconds A test histogram."))
        #expect(text.contains("# TYPE test_latency_seconds histogram"))
        #expect(text.contains(#"test_latency_seconds_bucket{op="x",le="0.0005"} 1"#))
        #expect(text.contains(#"test_latency_seconds_bucket{op="x",le="0.05"} 2"#))
        #expect(text.contains(#"test_latency_seconds_count{op="x"} 2"#))
        #expect(histogram.percentiles.snapshot().count == 2)
    }

    @Test func countersCarryTheirFullName() {
        let registry = MetricsRegistry()
        registry.counter("things_total", help: "Things.", labels: [("kind", "a")]).increment(by: Int64(3))
        #expect(registry.render().contains(#"things_total{kind="a"} 3"#))
    }

    @Test func stageTimerLapsAddUp() async throws {
        var timer = StageTimer()
        // Not synchronization: the sleeps make the known stage durations the laps measure.
        try await Task.sleep(for: .milliseconds(5))
        let first = timer.lap()
        try await Task.sleep(for: .milliseconds(5))
        let second = timer.lap()
        #expect(first >= .milliseconds(5))
        #expect(second >= .milliseconds(5))
        #expect(timer.elapsed >= first + second)
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
