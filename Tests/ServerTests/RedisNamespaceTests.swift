import Foundation
import Testing

@testable import Server

/// `redis.keyPrefix` names every key, stream, consumer group and channel (docs/design.md §11).
@Suite struct RedisNamespaceTests {
    @Test func everyNameCarriesThePrefix() {
        let namespace = RedisNamespace(prefix: "lab:run1:c3:")
        #expect(namespace.events == "lab:run1:c3:events")
        #expect(namespace.session("abc") == "lab:run1:c3:session:abc")
        #expect(namespace.rateLimit("gcra", "create:u1") == "lab:run1:c3:rl:gcra:create:u1")
        let queues = namespace.queues
        #expect(queues.group == "lab:run1:c3:workers")
        for queue in QueueName.allCases {
            #expect(queues.all(queue).allSatisfy { $0.hasPrefix("lab:run1:c3:queue:") })
        }
        // The defaults keep the contract's names under `exchange:`.
        #expect(RedisNamespace.standard.events == "exchange:events")
        #expect(EventPublisher.channel == "exchange:events")
        #expect(QueueKeys.standard.stream(.critical) == "exchange:queue:critical")
    }

    @Test func theConfigurationSetsAndValidatesThePrefix() throws {
        #expect(try ServerConfiguration.load(file: nil, environment: [:]).redis.keyPrefix == "exchange:")
        let configured = try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_REDIS_KEY_PREFIX": "cell-7:"])
        #expect(configured.redis.keyPrefix == "cell-7:")
        #expect(QueueSystem.Options(configuration: configured).keys.stream(.standard) == "cell-7:queue:standard")
        for bad in ["", "has space:", "glob*:", String(repeating: "x", count: 65)] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_REDIS_KEY_PREFIX": bad])
            }
        }
    }

    /// Two servers on one Redis with different prefixes keep separate rate limits, and each
    /// publishes events on its own channel.
    @Test func serversWithDifferentPrefixesDoNotShareState() async throws {
        let first = "ns-\(UUID().uuidString.prefix(8).lowercased()):"
        let second = "ns-\(UUID().uuidString.prefix(8).lowercased()):"
        try await TestExchange.with({ $0.redis.keyPrefix = first }) { a in
            try await TestExchange.with({ $0.redis.keyPrefix = second }) { b in
                #expect(a.services.namespace.prefix == first)
                #expect(a.services.requestService.publisher.channel == first + "events")
                #expect(b.services.requestService.publisher.channel == second + "events")
                let key = "create:shared-user"
                #expect(try await a.services.rateLimiter.check(key, limit: 1) == .allowed)
                if case .allowed = try await a.services.rateLimiter.check(key, limit: 1) {
                    Issue.record("the second attempt under one prefix must be limited")
                }
                // Same key, other prefix: its own counter.
                #expect(try await b.services.rateLimiter.check(key, limit: 1) == .allowed)
                let stored = try await a.services.redis.send(["KEYS", first + "rl:*"])
                #expect(stored.array?.isEmpty == false)
                _ = try await a.services.redis.del((stored.array ?? []).compactMap(\.string))
                let other = try await a.services.redis.send(["KEYS", second + "rl:*"])
                _ = try await a.services.redis.del((other.array ?? []).compactMap(\.string))
            }
        }
    }
}
