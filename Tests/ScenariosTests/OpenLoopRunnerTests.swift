import Hummingbird
import Synchronization
import Testing

@testable import Scenarios

/// The engine against a real HTTP endpoint with known delays.
@Suite struct OpenLoopRunnerTests {
    @Test func measuredLatencyMatchesAKnownServerDelay() async throws {
        let snapshot = try await withLocalServer({ router in
            router.get("/sleep") { _, _ in
                try await Task.sleep(for: .milliseconds(20))
                return "ok"
            }
        }) { baseURL in
            let api = APIClient(baseURL: baseURL, connections: 16)
            let recorder = Recorder()
            let runner = OpenLoopRunner(schedule: ArrivalSchedule(rate: 50, process: .constant), duration: .seconds(2))
            let outcome = await runner.run { _, scheduled in
                let answer = await api.get("/sleep")
                if answer.isSuccess {
                    recorder.record("sleep", ContinuousClock.now - scheduled)
                } else {
                    recorder.recordError("sleep", code: answer.errorCode ?? "?")
                }
            }
            await api.shutdown()
            #expect(outcome.scheduled == 100)
            #expect(outcome.dropped == 0)
            return recorder.snapshot()
        }
        let stats = try #require(snapshot.stats()["sleep"])
        #expect(stats.count == 100)
        #expect(stats.errors == 0)
        // The server sleeps 20 ms: the median can't be below it, and sits close above it.
        #expect(stats.p50Ms >= 19.5, "p50 \(stats.p50Ms)")
        #expect(stats.p50Ms < 60, "p50 \(stats.p50Ms)")
    }

    /// One 500 ms stall while arrivals continue at 100/s: every request that arrived during the
    /// stall waited, so the stall fills the high percentiles (a closed-loop client would have
    /// recorded it once and shown a clean p99: coordinated omission).
    @Test func aServerStallShowsInTheHighPercentiles() async throws {
        final class Stall: Sendable {
            let requests = Atomic<Int>(0)
            let until = Mutex<ContinuousClock.Instant?>(nil)
        }
        let stall = Stall()
        let snapshot = try await withLocalServer({ router in
            router.get("/work") { _, _ in
                let index = stall.requests.add(1, ordering: .relaxed).newValue
                let release = stall.until.withLock { until -> ContinuousClock.Instant? in
                    if index == 50, until == nil { until = .now.advanced(by: .milliseconds(500)) }
                    return until
                }
                if let release, release > .now { try await Task.sleep(until: release, clock: .continuous) }
                try await Task.sleep(for: .milliseconds(1))
                return "ok"
            }
        }) { baseURL in
            let api = APIClient(baseURL: baseURL, connections: 128)
            let recorder = Recorder()
            let runner = OpenLoopRunner(schedule: ArrivalSchedule(rate: 100, process: .constant), duration: .seconds(2))
            _ = await runner.run { _, scheduled in
                let answer = await api.get("/work")
                if answer.isSuccess { recorder.record("work", ContinuousClock.now - scheduled) }
            }
            await api.shutdown()
            return recorder.snapshot()
        }
        let histogram = try #require(snapshot.histograms["work"])
        #expect(histogram.count == 200)
        #expect(histogram.percentileMillis(50) < 100, "p50 \(histogram.percentileMillis(50))")
        #expect(histogram.percentileMillis(99) >= 400, "p99 \(histogram.percentileMillis(99))")
        #expect(histogram.maxMillis >= 480, "max \(histogram.maxMillis)")
        // ~50 arrivals fell into the stall; each shows part of it (not just the one that hit it).
        let delayed = histogram.histogram.count(within: 100_000...10_000_000)
        #expect(delayed >= 30, "requests delayed by ≥ 100 ms: \(delayed)")
    }

    @Test func latencyCountsFromTheScheduledStartNotTheActualOne() async {
        // An operation that can't start on time (the engine is blocked) still counts from its schedule.
        let recorder = Recorder()
        let runner = OpenLoopRunner(schedule: ArrivalSchedule(rate: 1, process: .constant), duration: .milliseconds(10))
        let outcome = await runner.run { _, scheduled in
            try? await Task.sleep(until: scheduled.advanced(by: .milliseconds(30)), clock: .continuous)
            recorder.record("late", ContinuousClock.now - scheduled)
        }
        #expect(outcome.scheduled == 1)
        #expect((recorder.snapshot().histograms["late"]?.percentileMillis(50) ?? 0) >= 29.9)
    }

    @Test func theEngineDropsAndSaysSoWhenTooManyAreInFlight() async {
        let runner = OpenLoopRunner(schedule: ArrivalSchedule(rate: 200, process: .constant), duration: .milliseconds(200), maxInFlight: 5)
        let outcome = await runner.run { _, _ in
            try? await Task.sleep(for: .milliseconds(300))
        }
        #expect(outcome.scheduled == 40)
        #expect(outcome.dropped == 35)
        let health = outcome.health(cores: 2)
        #expect(!health.trustworthy)
        #expect(health.reasons.contains { $0.contains("dropped 35 of 40") })
    }

    @Test func healthFlagsDispatchDelayAndCPUSaturation() {
        let slow = Fixtures.histogram(millis: Array(repeating: 25, count: 100))
        let health = EngineHealth(scheduled: 100, dropped: 0, dispatch: slow, cpuSeconds: 19, wallSeconds: 10, cores: 2)
        #expect(!health.trustworthy)
        #expect(health.reasons.count == 2)
        let fine = EngineHealth(scheduled: 100, dropped: 0, dispatch: Fixtures.histogram(millis: [0.2]), cpuSeconds: 1, wallSeconds: 10, cores: 2)
        #expect(fine.trustworthy)
    }
}
