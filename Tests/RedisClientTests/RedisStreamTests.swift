import Foundation
import RedisClient
import TestSupport
import Testing

@Suite struct RedisStreamTests {
    @Test func consumerGroupLifecycle() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let stream = prefix + "queue"
            #expect(try await redis.xgroupCreate(stream, group: "workers", id: "0"))
            #expect(try await !redis.xgroupCreate(stream, group: "workers", id: "0"))

            var ids: [String] = []
            for index in 1...3 {
                ids.append(try await redis.xadd(stream, maxlenApprox: 10_000, fields: [("job", "j\(index)"), ("attempt", "1")]))
            }
            #expect(try await redis.xlen(stream) == 3)

            let read = try await redis.xreadgroup(group: "workers", consumer: "alice", streams: [(stream, ">")], count: 10)
            #expect(read.count == 1)
            #expect(read.first?.stream == stream)
            let entries = read.first?.entries ?? []
            #expect(entries.map(\.id) == ids)
            #expect(entries.map { $0["job"] } == ["j1", "j2", "j3"])
            #expect(entries.first?.fields == ["job": "j1", "attempt": "1"])

            // Nothing new for a second reader.
            #expect(try await redis.xreadgroup(group: "workers", consumer: "bob", stream: stream).isEmpty)

            #expect(try await redis.xack(stream, group: "workers", ids: [ids[0]]) == 1)
            let summary = try await redis.xpending(stream, group: "workers")
            #expect(summary.count == 2)
            #expect(summary.smallestID == ids[1])
            #expect(summary.greatestID == ids[2])
            #expect(summary.consumers == ["alice": 2])

            // Alice "died": Bob reclaims her unacked entries.
            let claimed = try await redis.xautoclaim(stream, group: "workers", consumer: "bob", minIdleMs: 0, count: 10)
            #expect(claimed.entries.map(\.id) == [ids[1], ids[2]])
            #expect(claimed.entries.map { $0["job"] } == ["j2", "j3"])
            #expect(claimed.nextStart == "0-0")
            #expect(claimed.deletedIDs.isEmpty)

            let detail = try await redis.xpending(stream, group: "workers", count: 10)
            #expect(detail.map(\.id) == [ids[1], ids[2]])
            #expect(detail.allSatisfy { $0.consumer == "bob" && $0.deliveryCount == 2 })
            #expect(try await redis.xpending(stream, group: "workers", count: 10, consumer: "alice").isEmpty)

            // Bob's own pending history, then ack all.
            let history = try await redis.xreadgroup(group: "workers", consumer: "bob", stream: stream, id: "0")
            #expect(history.map(\.id) == [ids[1], ids[2]])
            #expect(try await redis.xack(stream, group: "workers", ids: [ids[1], ids[2]]) == 2)
            let empty = try await redis.xpending(stream, group: "workers")
            #expect(empty.count == 0)
            #expect(empty.smallestID == nil)
            #expect(empty.consumers.isEmpty)
        }
    }

    @Test func autoclaimReportsDeletedEntries() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let stream = prefix + "queue"
            try await redis.xgroupCreate(stream, group: "g", id: "0")
            let id = try await redis.xadd(stream, fields: [("job", "gone")])
            _ = try await redis.xreadgroup(group: "g", consumer: "a", stream: stream)
            #expect(try await redis.xdel(stream, ids: [id]) == 1)

            let history = try await redis.xreadgroup(group: "g", consumer: "a", stream: stream, id: "0")
            #expect(history == [RedisStreamEntry(id: id, fields: [:], isDeleted: true)])

            let claimed = try await redis.xautoclaim(stream, group: "g", consumer: "b", minIdleMs: 0)
            #expect(claimed.entries.isEmpty)
            #expect(claimed.deletedIDs == [id])
        }
    }

    @Test func blockingReadOnADedicatedConnection() async throws {
        let prefix = TestRedis.prefix()
        // A name of this test's own, to find its blocked reader in `CLIENT LIST`.
        let name = "test-blocking-\(UUID().uuidString.prefix(8))"
        try await withClient(TestRedis.configuration(clientName: name), prefix: prefix) { redis async throws in
            let stream = prefix + "queue"
            try await redis.xgroupCreate(stream, group: "g")
            let reader = redis.dedicatedConnection()

            // A block that times out is an empty read, not an error.
            let nothing = try await withDeadline(5) {
                try await reader.xreadgroup(group: "g", consumer: "w", stream: stream, count: 1, blockMs: 200)
            }
            #expect(nothing.isEmpty)

            // A blocked read wakes up for an entry added meanwhile; the shared connections are
            // not stalled by it.
            async let woken = reader.xreadgroup(group: "g", consumer: "w", stream: stream, count: 1, blockMs: 5000)
            try await eventually("the reader blocked in XREADGROUP", timeout: .seconds(4), every: .milliseconds(5)) {
                let clients = try await redis.send(["CLIENT", "LIST"]).string ?? ""
                return clients.split(separator: "\n").contains { line in
                    let fields = line.split(separator: " ")
                    return fields.contains("name=\(name)") && fields.contains("cmd=xreadgroup")
                        && fields.contains { $0.hasPrefix("flags=") && $0.contains("b") }
                }
            }
            #expect(try await redis.ping() == "PONG")
            let id = try await redis.xadd(stream, fields: [("job", "late")])
            let entries = try await woken
            #expect(entries.map(\.id) == [id])
            await reader.close()
        }
    }
}
