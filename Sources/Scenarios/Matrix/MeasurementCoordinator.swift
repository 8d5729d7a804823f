import Foundation
import Profiler
import Synchronization

/// One per cell: decides the steps of the measured phase (one fixed step, or a capacity
/// search), and makes both sides of the wire measure the *same* window. At each step's start
/// it scrapes `/metrics` and opens a window on every load loop's recorder; at the end (after
/// the step's operations finished) it closes them and scrapes again. Gauges, CPU and
/// PostgreSQL wait events are sampled only inside windows. It also cuts every recorder's
/// latencies into one-second intervals for the `.hlog` time series.
public final class MeasurementCoordinator: Sendable {
    public let search: SearchSpec?
    let load: LoadSpec
    /// The engine's clients (one per server instance), whose connection waits count.
    let apis: [APIClient]
    let scraper: MetricsScraper
    let sampler: ResourceSampler?
    let clock = ContinuousClock()
    let cellStart: ContinuousClock.Instant
    /// The cell's start, seconds since 1970 (the `.hlog` StartTime).
    public let startedAtEpoch = Date().timeIntervalSince1970

    private struct OpenWindow {
        var before: Result<PrometheusScrape, ScenarioError>
        var gauges: [PrometheusScrape] = []
        var started: ContinuousClock.Instant
        var rate: Double
    }

    /// A finished step with the recorder window behind it.
    public struct StepRecord: Sendable {
        public var step: CapacityStep
        public var window: RecorderSnapshot
    }

    private let recorders = Mutex<[Recorder]>([])
    private let finished = Atomic<Bool>(false)
    private let window = Mutex<OpenWindow?>(nil)
    private let records = Mutex<[StepRecord]>([])
    private let slices = Mutex<[IntervalSlice]>([])
    private let lastTick: Mutex<ContinuousClock.Instant>

    /// Whether registered recorders keep every outcome with its instant (runs with faults).
    public let keepsTimelines: Bool

    public convenience init(search: SearchSpec?, load: LoadSpec, api: APIClient, scraper: MetricsScraper, sampler: ResourceSampler?) {
        self.init(search: search, load: load, apis: [api], scraper: scraper, sampler: sampler)
    }

    public init(
        search: SearchSpec?,
        load: LoadSpec,
        apis: [APIClient],
        scraper: MetricsScraper,
        sampler: ResourceSampler?,
        keepsTimelines: Bool = false
    ) {
        self.keepsTimelines = keepsTimelines
        self.search = search
        self.load = load
        self.apis = apis
        self.scraper = scraper
        self.sampler = sampler
        let now = ContinuousClock.now
        self.cellStart = now
        self.lastTick = Mutex(now)
    }

    /// A load loop's recorder joins the windows and intervals.
    public func register(_ recorder: Recorder) {
        if keepsTimelines { recorder.keepTimeline() }
        recorders.withLock { list in
            if !list.contains(where: { $0 === recorder }) { list.append(recorder) }
        }
    }

    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    public func finish() {
        finished.store(true, ordering: .releasing)
    }

    public var steps: [StepRecord] { records.withLock { $0 } }

    /// Every registered recorder's kept outcomes (see ``keepsTimelines``).
    public var outcomes: [TimedOutcome] { recorders.withLock { $0 }.flatMap(\.timeline) }

    /// Seconds from the cell's start to `instant`.
    public func secondsSinceStart(_ instant: ContinuousClock.Instant) -> Double { (instant - cellStart).seconds }
    public var intervals: [IntervalSlice] { slices.withLock { $0 } }

    /// Scrapes, opens the recorders' windows and the resource window.
    public func beginStep(rate: Double) async {
        let before = await scraper.scrape()
        for api in apis { _ = api.takeConnectionWaits() }
        for recorder in recorders.withLock({ $0 }) { recorder.openWindow() }
        await sampler?.begin()
        window.withLock { $0 = OpenWindow(before: before, started: clock.now, rate: rate) }
    }

    /// Closes the windows, scrapes, and judges the step.
    public func endStep(phase: String, outcome: OpenLoopRunner.Outcome, primary: String) async -> CapacityStep {
        var snapshot = RecorderSnapshot()
        for recorder in recorders.withLock({ $0 }) {
            snapshot.merge(recorder.closeWindow())
        }
        let after = await scraper.scrape()
        let resources = await sampler?.end()
        let waits = apis.map { $0.takeConnectionWaits() }.reduce(into: (queued: 0, waits: LatencyHistogram())) { total, part in
            total.queued += part.queued
            total.waits.add(part.waits)
        }
        let open = window.withLock { state -> OpenWindow? in
            let result = state
            state = nil
            return result
        }
        var server: ServerMetrics?
        switch (open?.before, after) {
        case (.success(let first)?, .success(let last)):
            server = ServerMetrics.between(before: first, after: last, during: open?.gauges ?? [])
        case (.failure(let error)?, _), (_, .failure(let error)):
            var metrics = ServerMetrics()
            metrics.scrapeError = error.description
            server = metrics
        case (nil, _):
            server = nil
        }
        let step = StepJudge(search: search, primary: primary).judge(
            phase: phase,
            offeredRate: open?.rate ?? load.rate,
            window: snapshot,
            outcome: outcome,
            connectionWaits: waits,
            server: server,
            resources: resources
        )
        records.withLock { $0.append(StepRecord(step: step, window: snapshot)) }
        return step
    }

    /// Every second until cancelled: cuts an interval; inside a window, samples gauges and resources.
    public func runTicker() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(1)) } catch { break }
            // Merging histograms takes CPU: off the concurrency pool the engine dispatches on.
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    self.tick()
                    continuation.resume()
                }
            }
            if window.withLock({ $0 != nil }) {
                async let resources: Void = sampler?.tick() ?? ()
                if case .success(let scrape) = await scraper.scrape() {
                    window.withLock { $0?.gauges.append(scrape) }
                }
                await resources
            }
        }
        tick()
    }

    private func tick() {
        let now = clock.now
        let start = lastTick.withLock { last -> ContinuousClock.Instant in
            let result = last
            last = now
            return result
        }
        var merged: [String: LatencyHistogram] = [:]
        for recorder in recorders.withLock({ $0 }) {
            for (operation, histogram) in recorder.rotateInterval() { merged[operation, default: LatencyHistogram()].add(histogram) }
        }
        let rate = window.withLock { $0?.rate }
        let slice = IntervalSlice(
            start: (start - cellStart).seconds,
            end: (now - cellStart).seconds,
            histograms: merged,
            offeredRate: rate
        )
        slices.withLock { $0.append(slice) }
    }
}

extension RecorderSnapshot {
    /// Adds another snapshot's counts (two loops recording into separate recorders).
    mutating func merge(_ other: RecorderSnapshot) {
        for (operation, histogram) in other.histograms { histograms[operation, default: LatencyHistogram()].add(histogram) }
        for (operation, histogram) in other.allOutcomes { allOutcomes[operation, default: LatencyHistogram()].add(histogram) }
        for (operation, codes) in other.errors {
            for (code, count) in codes { errors[operation, default: [:]][code, default: 0] += count }
        }
        for (name, count) in other.counters { counters[name, default: 0] += count }
        lastRecorded.merge(other.lastRecorded) { max($0, $1) }
    }
}
