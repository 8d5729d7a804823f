import Foundation
import Profiler
import WireJSON

@testable import Scenarios

/// Synthetic cells and histograms for report, gate and compare tests.
enum Fixtures {
    static func histogram(millis values: [Double]) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        for value in values { histogram.record(micros: UInt64(value * 1000)) }
        return histogram
    }

    /// An exchange-flow cell with nothing measured yet.
    static func emptyCell() -> CellReport {
        CellReport(
            id: 0,
            label: "x",
            axes: [:],
            repeatIndex: 0,
            config: .null,
            scenario: "exchange-flow",
            load: LoadSpec(),
            primaryOperation: "create_request"
        )
    }

    /// A cell whose create_request latencies are `base`…`base×3` ms, `count` samples.
    static func cell(
        id: Int,
        pool: Int,
        mode: String,
        base: Double,
        rate: Double,
        errors: Int = 0,
        count: Int = 200
    ) -> (CellReport, [String: LatencyHistogram]) {
        let values = (0..<count).map { base + base * 2 * Double($0) / Double(count) }
        let histograms = ["create_request": histogram(millis: values), "claim": histogram(millis: values.map { $0 / 2 })]
        var snapshot = RecorderSnapshot(histograms: histograms)
        if errors > 0 { snapshot.errors = ["create_request": ["rate_limited": errors]] }
        snapshot.counters = ["ws_completions_observed": count]
        let load = LoadSpec(rate: rate, duration: 10, warmup: 1)
        var report = CellReport(
            id: id,
            label: "poolSize=\(pool) mode=\(mode)",
            axes: ["db.primary.poolSize": .int(pool), "sideEffects.mode": .string(mode)],
            repeatIndex: 0,
            config: .object([]),
            scenario: "exchange-flow",
            load: load,
            primaryOperation: "create_request"
        )
        let health = EngineHealth(scheduled: count, dropped: 0, dispatch: histogram(millis: [0.1, 0.2]), cpuSeconds: 1, wallSeconds: 10, cores: 2)
        report.apply(
            ScenarioOutcome(
                snapshot: snapshot,
                health: health,
                measuredSeconds: Double(count) / rate,
                primaryOperation: "create_request",
                checks: ["no_event_lost": true]
            )
        )
        var metrics = ServerMetrics()
        metrics.histograms["db_pool_acquire_duration_seconds{pool=\"primary\"}"] = .init(
            count: 100,
            meanMs: 10.0 / Double(pool),
            p99Ms: 20.0 / Double(pool)
        )
        metrics.gauges["queue_depth{queue=\"standard\",state=\"waiting\"}"] = .init(before: 0, after: 0, max: 5)
        report.serverMetrics = metrics
        return (report, histograms)
    }

    static func report(
        cells: [(CellReport, [String: LatencyHistogram])],
        selection: SelectionRule = SelectionRule(ceilingMs: 100)
    ) -> (Report, [Int: [String: LatencyHistogram]]) {
        let machine = MachineInfo(cores: 2, memoryBytes: 1 << 34, os: "test", kernel: "test", swiftVersion: "6.3", hostname: "test")
        let report = Report(
            name: "fixture",
            scenario: "exchange-flow",
            load: LoadSpec(rate: 20, duration: 10, warmup: 1),
            options: ScenarioOptions(),
            machine: machine,
            selection: selection,
            cells: cells.map(\.0)
        )
        var histograms: [Int: [String: LatencyHistogram]] = [:]
        for (cell, byOperation) in cells { histograms[cell.id] = byOperation }
        return (report, histograms)
    }

    /// Ports for an end-to-end cell: up to four server instances from `server`, the relays at
    /// `server + 20` and `+ 21`, PgBouncer at `+ 30`, the provider simulator at `+ 40`. A block
    /// below the kernel's ephemeral range (from 32768), every port of it free when chosen:
    /// random ports inside that range collided with the local ends of live connections.
    static func cellPorts() throws -> MatrixSpec.Ports {
        let offsets = [0, 1, 2, 3, 20, 21, 30, 40]
        for _ in 0..<100 {
            let base = Int.random(in: 20_000...32_000)
            if offsets.allSatisfy({ loopbackPortIsFree(base + $0) }) {
                return MatrixSpec.Ports(server: base, provider: base + 40, relay: base + 20, pooler: base + 30)
            }
        }
        throw ScenarioError("no free block of cell ports between 20000 and 32040")
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "scenarios-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
