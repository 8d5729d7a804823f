import Foundation
import Testing

@testable import Scenarios

@Suite struct LossCheckTests {
    /// Request r1 went pending → assigned → processing → completed; r2 was only created.
    static func ledger() -> CommitLedger.Snapshot {
        let ledger = CommitLedger()
        ledger.committed(requestID: "r1", seq: 1, status: "pending")
        ledger.committed(requestID: "r1", seq: 2, status: "assigned")
        ledger.committed(requestID: "r1", seq: 3, status: "processing")
        ledger.committed(requestID: "r1", seq: 4, status: "completed")
        ledger.committed(requestID: "r2", seq: 1, status: "pending")
        ledger.otpAccepted(phone: "+1555")
        ledger.otpAccepted(phone: "+1555")
        return ledger.snapshot
    }

    static func everything() -> [LossCheck.Delivered] {
        var delivered: [LossCheck.Delivered] = []
        for seq in 1...4 { delivered.append(.init(kind: "events", to: nil, idempotencyKey: "r1:\(seq):events")) }
        for seq in 2...4 { delivered.append(.init(kind: "email", to: "u1", idempotencyKey: "r1:\(seq):email")) }
        delivered.append(.init(kind: "webhook", to: nil, idempotencyKey: "r1:4:webhook"))
        delivered.append(.init(kind: "events", to: nil, idempotencyKey: "r2:1:events"))
        delivered.append(.init(kind: "sms", to: "+1555", idempotencyKey: "otp:a:sms"))
        delivered.append(.init(kind: "sms", to: "+1555", idempotencyKey: "otp:b:sms"))
        return delivered
    }

    static let synced: [String: Set<Int>] = ["r1": [1, 2, 3, 4], "r2": [1]]

    @Test func nothingMissingIsNoLoss() {
        let report = LossCheck.compare(Self.ledger(), delivered: Self.everything(), synced: Self.synced)
        #expect(report.expected == ["analytics": 5, "email": 3, "webhook": 1, "sync_event": 5, "otp_sms": 2])
        #expect(report.missing.isEmpty)
        #expect(report.loss == 0 && report.bestEffortMissing == 0)
    }

    @Test func missingSideEffectsAndEventsAreCountedByKind() {
        var delivered = Self.everything().filter { $0.idempotencyKey != "r1:3:email" && $0.idempotencyKey != "r1:4:webhook" }
        // A redelivered SMS with the same key is a duplicate, not a second code.
        delivered =
            delivered.filter { $0.idempotencyKey != "otp:b:sms" } + [.init(kind: "sms", to: "+1555", idempotencyKey: "otp:a:sms", duplicate: true)]
        // The same key under another kind does not count.
        delivered.append(.init(kind: "events", to: nil, idempotencyKey: "r1:3:email"))
        var synced = Self.synced
        synced["r2"] = nil
        synced["r1"] = [1, 2, 4]
        let report = LossCheck.compare(Self.ledger(), delivered: delivered, synced: synced)
        #expect(report.missing == ["email": 1, "webhook": 1, "otp_sms": 1, "sync_event": 2])
        #expect(report.loss == 5)
        #expect(report.duplicates == 1)
        #expect(report.examples.contains("email r1:3:email"))
        #expect(report.examples.contains("sync_event r1#3"))
    }

    @Test func missingAnalyticsIsBestEffortNotLoss() {
        let delivered = Self.everything().filter { $0.idempotencyKey != "r2:1:events" }
        let report = LossCheck.compare(Self.ledger(), delivered: delivered, synced: Self.synced)
        #expect(report.missing == ["analytics": 1])
        #expect(report.loss == 0)
        #expect(report.bestEffortMissing == 1)
    }

    static func cell(loss: LossReport?) -> CellReport {
        var (cell, _) = Fixtures.cell(id: 0, pool: 8, mode: "queued", base: 10, rate: 19.5)
        cell.faults = FaultsReport(results: [], loss: loss, measureStartOffset: 3)
        return cell
    }

    @Test func gateFailsOnAnyLossWhateverTheBudget() throws {
        let evaluator = try GateEvaluator(budget: Budget(scenario: "exchange-flow", thresholds: ["create_request": ["p(99) < 250ms"]]))
        let lost = Self.cell(loss: LossReport(expected: ["email": 10], missing: ["email": 1]))
        let rows = evaluator.evaluate(cells: [lost])
        let lossRow = try #require(rows.first { $0.key == "loss" })
        #expect(!lossRow.passed && lossRow.measured == 1)
        #expect(GateEvaluator.exitCode(rows: rows, cells: [lost]) == 1)

        let clean = Self.cell(loss: LossReport(expected: ["email": 10, "analytics": 4], missing: ["analytics": 2]))
        let cleanRows = evaluator.evaluate(cells: [clean])
        #expect(cleanRows.first { $0.key == "loss" }?.passed == true)
        #expect(GateEvaluator.exitCode(rows: cleanRows, cells: [clean]) == 0)

        // A faults cell whose loss check never ran is not a pass.
        let unchecked = Self.cell(loss: nil)
        #expect(evaluator.evaluate(cells: [unchecked]).first { $0.key == "loss" }?.passed == false)

        // Cells without faults get no loss row.
        let (plain, _) = Fixtures.cell(id: 1, pool: 8, mode: "queued", base: 10, rate: 19.5)
        #expect(!evaluator.evaluate(cells: [plain]).contains { $0.key == "loss" })
    }

    @Test func reportShowsFaultsLossAndTimelineMarkers() throws {
        var cell = Self.cell(loss: LossReport(expected: ["email": 10], missing: ["email": 1], examples: ["email r1:3:email"]))
        let event = FaultEvent(
            spec: FaultSpec(kind: .redisRestart, at: 10, duration: 5),
            started: 10,
            ended: 15,
            healed: 15.4,
            target: "redis 127.0.0.1:1"
        )
        cell.faults?.results = FaultAnalysis.analyse(
            events: [event],
            outcomes: [
                OutcomePoint(at: 12, operation: "create_request", code: "http_503", millis: 2),
                OutcomePoint(at: 15.5, operation: "create_request", millis: 2),
            ]
        )
        let (report, _) = Fixtures.report(cells: [(cell, [:])])
        let markdown = MarkdownReport.render(report, charts: [])
        #expect(markdown.contains("## Faults"))
        #expect(markdown.contains("`redis-restart@10:5`"))
        #expect(markdown.contains("http_503 1"))
        #expect(markdown.contains("| **1** |"))
        #expect(markdown.contains("`email r1:3:email`"))
        let markers = CapacityCharts.faultMarkers(cell)
        #expect(markers.map(\.x) == [13, 18])
        let encoded = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(Report.self, from: encoded)
        #expect(decoded.cells[0].faults?.loss?.loss == 1)
        #expect(decoded.cells[0].faults?.results.first?.recoverySeconds == 0.5)
    }
}
