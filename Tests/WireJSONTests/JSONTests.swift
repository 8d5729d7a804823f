import Foundation
import Testing
import WireJSON

@Suite struct JSONTests {
    @Test func serialisesInBuildOrderWithExplicitNull() {
        let value: JSON = ["id": "r1", "assignedOperator": nil, "lastSeq": 3, "ok": true, "items": [1.5, "x"]]
        #expect(value.serialized == #"{"id":"r1","assignedOperator":null,"lastSeq":3,"ok":true,"items":[1.5,"x"]}"#)
    }

    @Test func escapesControlCharactersAndQuotes() {
        #expect(JSON.string("a\"b\\c\n\u{1}").serialized == #""a\"b\\c\n\u0001""#)
        // Strings with nothing to escape are copied whole, non-ASCII included.
        #expect(JSON.string("prix: 12 € — ok").serialized == "\"prix: 12 € — ok\"")
        #expect(JSON.string("").serialized == "\"\"")
    }

    @Test func parsesEveryKindAndKeepsIntegersExact() throws {
        let value = try #require(JSON.parse(#"{"n":null,"b":false,"i":9007199254740993,"d":0.25,"s":"é","a":[{"k":1}]}"#))
        #expect(value["n"] == .null)
        #expect(value["b"] == .bool(false))
        #expect(value["i"] == .int(9_007_199_254_740_993))
        #expect(value["d"]?.doubleValue == 0.25)
        #expect(value["s"]?.stringValue == "é")
        #expect(value["a"]?.arrayValue?.first?["k"]?.intValue == 1)
    }

    @Test func refusesWhatIsNotJSON() {
        #expect(JSON.parse("{") == nil)
        #expect(JSON.parse("not json") == nil)
        #expect(JSON.parse("") == nil)
    }

    @Test func equalityIgnoresKeyOrderButNotValues() {
        #expect(JSON.object([("a", 1), ("b", 2)]) == JSON.object([("b", 2), ("a", 1)]))
        #expect(JSON.object([("a", 1)]) != JSON.object([("a", 2)]))
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.string("1") != JSON.int(1))
    }

    @Test func roundTripsThroughCodable() throws {
        let value: JSON = ["name": "cell", "pool": ["size": 4], "rates": [50, 75.5], "keep": false, "note": nil]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSON.self, from: data) == value)
        #expect(JSON.parse(value.serialized) == value)
    }

    @Test func pathsSetAndMerge() {
        var config: JSON = ["db": ["primary": ["poolSize": 4]]]
        #expect(config[path: "db.primary.poolSize"] == 4)
        config.set(path: "db.replica.poolSize", to: 2)
        config.set(path: "db.primary.poolSize", to: 8)
        #expect(config[path: "db.replica.poolSize"] == 2)
        #expect(config[path: "db.primary.poolSize"] == 8)
        let merged = config.merged(with: ["db": ["primary": ["url": "x"]], "mode": "sync"])
        #expect(merged[path: "db.primary.poolSize"] == 8)
        #expect(merged[path: "db.primary.url"] == "x")
        #expect(merged["mode"] == "sync")
    }
}
