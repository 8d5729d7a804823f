import Testing

@testable import Scenarios

@Suite struct PrometheusTextTests {
    static let before = """
        # HELP db_pool_acquire_duration_seconds Time to acquire a connection.
        # TYPE db_pool_acquire_duration_seconds histogram
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="0.001"} 10
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="0.01"} 10
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="+Inf"} 10
        db_pool_acquire_duration_seconds_sum{pool="primary"} 0.005
        db_pool_acquire_duration_seconds_count{pool="primary"} 10
        # TYPE queue_depth gauge
        queue_depth{queue="standard",state="waiting"} 0
        # TYPE queue_jobs_total counter
        queue_jobs_total{queue="standard",outcome="completed"} 5
        process_heap_allocated_bytes 1000
        """
    static let after = """
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="0.001"} 10
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="0.01"} 100
        db_pool_acquire_duration_seconds_bucket{pool="primary",le="+Inf"} 110
        db_pool_acquire_duration_seconds_sum{pool="primary"} 0.505
        db_pool_acquire_duration_seconds_count{pool="primary"} 110
        queue_depth{queue="standard",state="waiting"} 2
        queue_jobs_total{queue="standard",outcome="completed"} 25
        process_heap_allocated_bytes 3000
        """

    @Test func parsesSamplesLabelsAndTypes() {
        let scrape = PrometheusScrape.parse(Self.before)
        #expect(scrape.types["db_pool_acquire_duration_seconds"] == "histogram")
        #expect(scrape.types["queue_depth"] == "gauge")
        #expect(scrape.value("queue_depth", labels: ["queue": "standard", "state": "waiting"]) == 0)
        #expect(scrape.value("process_heap_allocated_bytes") == 1000)
        let infinite = scrape.samples.first { $0.labels["le"] == "+Inf" }
        #expect(infinite?.value == 10)
    }

    @Test func parsesEscapesTimestampsAndSpecialValues() {
        let text = #"""
            weird{path="/a\"b",msg="line\nnext",x="back\\slash"} 1.5e3 1700000000000
            not_a_number NaN
            negative -Inf
            broken{label="unterminated 1
            """#
        let scrape = PrometheusScrape.parse(text)
        #expect(scrape.samples.count == 3)
        #expect(scrape.samples[0].labels == ["path": "/a\"b", "msg": "line\nnext", "x": "back\\slash"])
        #expect(scrape.samples[0].value == 1500)
        #expect(scrape.samples[1].value.isNaN)
        #expect(scrape.samples[2].value == -.infinity)
    }

    @Test func deltasBetweenScrapes() {
        let before = PrometheusScrape.parse(Self.before)
        let after = PrometheusScrape.parse(Self.after)
        let during = PrometheusScrape.parse("queue_depth{queue=\"standard\",state=\"waiting\"} 40")
        let metrics = ServerMetrics.between(before: before, after: after, during: [during])
        let acquire = metrics.histograms["db_pool_acquire_duration_seconds{pool=\"primary\"}"]
        #expect(acquire?.count == 100)
        #expect(abs((acquire?.meanMs ?? 0) - 5) < 1e-9)  // 0.5 s over 100 acquisitions
        // 90 of the 100 new acquisitions were in (1 ms, 10 ms], 10 above: p99 lies in +Inf → lower bound.
        #expect(acquire?.p99Ms == 10)
        #expect(metrics.gauges["queue_depth{queue=\"standard\",state=\"waiting\"}"] == .init(before: 0, after: 2, max: 40))
        #expect(metrics.counters["queue_jobs_total{outcome=\"completed\",queue=\"standard\"}"] == 20)
        #expect(metrics.gauges["process_heap_allocated_bytes"]?.after == 3000)
        #expect(metrics.poolAcquireMeanMs.map { abs($0 - 5) < 1e-9 } == true)
    }

    @Test func quantileInterpolatesInsideABucket() {
        let buckets: [(le: Double, count: Double)] = [(0.1, 50), (0.2, 100), (.infinity, 100)]
        #expect(abs((ServerMetrics.quantile(0.75, buckets: buckets) ?? 0) - 0.15) < 1e-9)
        #expect(ServerMetrics.quantile(0.5, buckets: []) == nil)
    }
}
