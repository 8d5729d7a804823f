import Foundation
import Testing

@testable import Server

/// The catalogue is the one list of metric names: it is complete, consistent, and renders.
@Suite struct MetricCatalogueTests {
    @Test func namesAreUniqueAndFollowPrometheusConventions() {
        let names = MetricCatalogue.all.map(\.name)
        #expect(Set(names).count == names.count)
        for definition in MetricCatalogue.all {
            #expect((definition.kind == .counter) == definition.name.hasSuffix("_total"), "\(definition.name)")
            if definition.kind == .histogram { #expect(definition.buckets?.isEmpty == false, "\(definition.name)") }
            #expect(!definition.seeds.isEmpty, "\(definition.name) has series from start-up")
            #expect(!definition.help.isEmpty && !definition.updates.isEmpty && !definition.unit.isEmpty)
        }
    }

    @Test func bucketsFitEachMetric() throws {
        func bounds(_ definition: MetricDefinition) throws -> [Double] { try #require(definition.buckets).map(\.seconds) }
        #expect(try bounds(.httpRequestDuration).contains(0.25))
        #expect(try bounds(.redisCommandDuration).first == 0.000025)
        #expect(try bounds(.poolAcquireDuration).first == 0.000025)
        #expect(try bounds(.sideEffectDuration).last == 30)
        #expect(try bounds(.queueJobWait).last == 600)
        #expect(try bounds(.outboxDispatchDelay).last == 600)
    }

    @Test func aFreshRegistryExportsExactlyTheCatalogue() {
        let text = ServerMetrics().registry.render()
        let exported = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(exported == Set(MetricCatalogue.all.map(\.name)))
    }

    @Test func rendersAsTextJSONAndMarkdown() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(MetricCatalogue.render(.json).utf8)) as? [[String: Any]])
        #expect(json.count == MetricCatalogue.all.count)
        let queueJobs = try #require(json.first { $0["name"] as? String == "queue_jobs_total" })
        #expect(queueJobs["type"] as? String == "counter")
        #expect(queueJobs["labels"] as? [String] == ["queue", "outcome"])
        let markdown = MetricCatalogue.render(.markdown)
        #expect(markdown.hasPrefix("| name | type |"))
        #expect(markdown.contains("| `exchange_queue_oldest_job_age_seconds` | gauge | `queue` | seconds |"))
        let text = MetricCatalogue.render(.text)
        #expect(text.split(separator: "\n").count == MetricCatalogue.all.count + 1)
    }
}
