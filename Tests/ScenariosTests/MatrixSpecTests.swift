import Foundation
import Testing
import WireJSON

@testable import Scenarios

@Suite struct MatrixSpecTests {
    @Test func cellsAreTheCartesianProductWithMergedConfig() throws {
        let json = """
            {"name": "t", "scenario": "exchange-flow", "load": {"rate": 5, "duration": 3},
             "config": {"db": {"primary": {"url": "postgres://x"}}, "workers": {"count": 2}},
             "axes": [{"path": "db.primary.poolSize", "values": [2, 8]}, {"path": "sideEffects.mode", "values": ["sync", "queued"]}],
             "repeat": 2, "ports": {"server": 19000, "provider": 19001}}
            """
        let spec = try JSONDecoder().decode(MatrixSpec.self, from: Data(json.utf8))
        let cells = spec.cells()
        #expect(cells.count == 8)
        #expect(cells.map(\.index) == Array(0..<8))
        #expect(cells[0].label == "poolSize=2 mode=sync")
        #expect(cells[1].label == "poolSize=2 mode=sync" && cells[1].repeatIndex == 1)
        #expect(cells[7].label == "poolSize=8 mode=queued")
        let config = cells[7].config
        #expect(config[path: "db.primary.poolSize"] == .int(8))
        #expect(config[path: "db.primary.url"] == .string("postgres://x"))
        #expect(config[path: "sideEffects.mode"] == .string("queued"))
        #expect(config[path: "workers.count"] == .int(2))
        #expect(config[path: "http.port"] == .int(19000))
        #expect(config[path: "provider.url"] == .string("http://127.0.0.1:19001"))
        #expect(spec.load.warmup == LoadSpec().warmup)
    }

    @Test func configEncodesAsNestedObjectsWithIntegers() throws {
        var config = JSON.object([])
        config.set(path: "db.primary.poolSize", to: .int(8))
        config.set(path: "sideEffects.mode", to: .string("queued"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(config), as: UTF8.self)
        #expect(text == #"{"db":{"primary":{"poolSize":8}},"sideEffects":{"mode":"queued"}}"#)
    }

    @Test func rejectsUnknownScenariosAndEmptyAxes() throws {
        let unknown = MatrixSpec(name: "x", scenario: "nope", load: LoadSpec())
        #expect(throws: ScenarioError.self) { try unknown.validate() }
        let empty = MatrixSpec(name: "x", scenario: "exchange-flow", load: LoadSpec(), axes: [.init(path: "a", values: [])])
        #expect(throws: ScenarioError.self) { try empty.validate() }
    }

    @Test func shippedMatricesParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["default", "smoke"] {
            let spec = try MatrixSpec.load(path: root.appendingPathComponent("matrices/\(name).json").path)
            #expect(!spec.cells().isEmpty)
        }
        let smoke = try MatrixSpec.load(path: root.appendingPathComponent("matrices/smoke.json").path)
        #expect(Double(smoke.cells().count) * smoke.estimatedSecondsPerCell < 120)
    }

    @Test func otpIsTheOnlySixDigitNumber() {
        #expect(extractOTP("Your Exchange Lab code is 125792. It expires in 5 minutes.") == "125792")
        #expect(extractOTP("code 1234567 no") == nil)
        #expect(extractOTP("nothing") == nil)
    }

    @Test func phonesAreDistinctValidE164() {
        let book = PhoneBook(tag: 12345)
        let phones = (0..<100).map { book.phone("user", $0) } + (0..<10).map { book.phone("operator", $0) }
        #expect(Set(phones).count == phones.count)
        let pattern = /^\+[1-9][0-9]{7,14}$/
        #expect(phones.allSatisfy { $0.wholeMatch(of: pattern) != nil })
    }
}
