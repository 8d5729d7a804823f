import RedisClient
import Synchronization
import Testing

@Suite struct RedisClientCommandTests {
    @Test func basicCommands() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            #expect(try await redis.ping() == "PONG")
            let key = prefix + "greeting"
            #expect(try await redis.get(key) == nil)
            try await redis.set(key, "hello")
            #expect(try await redis.get(key) == "hello")
            #expect(try await redis.ttl(key) == -1)
            #expect(try await redis.expire(key, seconds: 60))
            #expect((1...60).contains(try await redis.ttl(key)))
            #expect(try await redis.exists(key, prefix + "missing") == 1)
            #expect(try await redis.del(key) == 1)
            #expect(try await redis.ttl(key) == -2)
            #expect(try await !redis.expire(key, seconds: 60))

            let counter = prefix + "counter"
            #expect(try await redis.incr(counter) == 1)
            #expect(try await redis.incrBy(counter, 41) == 42)

            let lock = prefix + "lock"
            #expect(try await redis.setNX(lock, "a", exSeconds: 30))
            #expect(try await !redis.setNX(lock, "b", exSeconds: 30))
            #expect(try await redis.get(lock) == "a")
            #expect((1...30).contains(try await redis.ttl(lock)))

            try await redis.set(prefix + "session", "x", exSeconds: 300)
            #expect((1...300).contains(try await redis.ttl(prefix + "session")))
            #expect(try await redis.del([counter, lock, prefix + "session"]) == 3)
        }
    }

    @Test func valuesAreBinarySafe() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let value: [UInt8] = [0, 1, 13, 10, 0xFF, 0x24, 0x2A, 0, 0]
            try await redis.set(prefix + "binary", bytes: value)
            #expect(try await redis.getBytes(prefix + "binary") == value)
            try await redis.set(prefix + "empty", "")
            #expect(try await redis.get(prefix + "empty") == "")
            try await redis.set(prefix + "unicode", "заявка ✓ \r\n")
            #expect(try await redis.get(prefix + "unicode") == "заявка ✓ \r\n")
        }
    }

    @Test func thousandConcurrentIncrsArePipelinedCorrectly() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let key = prefix + "counter"
            let replies = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask { try await redis.incr(key) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(try await redis.get(key) == "1000")
            // Every caller got its own reply: each value from 1 to 1000 exactly once.
            #expect(replies.sorted() == Array(1...1000))
        }
    }

    @Test func concurrentMixedCommandsGetTheirOwnReplies() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(TestRedis.configuration(poolSize: 1), prefix: prefix) { redis async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let key = prefix + "k\(index)"
                        try await redis.set(key, "v\(index)")
                        let value = try await redis.get(key)
                        #expect(value == "v\(index)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func repliesLargerThan64KiB() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let big = String((0..<300_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            try await redis.set(prefix + "big", big)
            let read = try await redis.get(prefix + "big")
            #expect(read?.count == 300_000)
            #expect(read == big)

            let fields = (0..<2000).map { (field: "field-\($0)", value: String(repeating: "v", count: 64)) }
            #expect(try await redis.hset(prefix + "hash", fields: fields) == 2000)
            let all = try await redis.hgetall(prefix + "hash")
            #expect(all.count == 2000)
            #expect(all["field-1999"] == String(repeating: "v", count: 64))
        }
    }

    @Test func errorRepliesThrowAndLeaveTheConnectionUsable() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(TestRedis.configuration(poolSize: 1), prefix: prefix) { redis async throws in
            try await redis.set(prefix + "text", "not a number")
            await #expect {
                try await redis.incr(prefix + "text")
            } throws: { error in
                (error as? RedisError)?.code == "command_failed" && (error as? RedisError)?.replyPrefix == "ERR"
            }
            await #expect(throws: RedisError.self) { try await redis.send(["NOSUCHCOMMAND"]) }
            #expect(try await redis.get(prefix + "text") == "not a number")
        }
    }

    @Test func sortedSetsAndHashes() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let zset = prefix + "delayed"
            #expect(try await redis.zadd(zset, members: [(1, "a"), (2, "b"), (3, "c"), (4.5, "d")]) == 4)
            #expect(try await redis.zadd(zset, score: 5, member: "a") == 0)
            #expect(try await redis.zrangebyscore(zset, min: "-inf", max: "4") == ["b", "c"])
            #expect(try await redis.zrangebyscore(zset, min: 0, max: 10, limit: (offset: 1, count: 2)) == ["c", "d"])
            #expect(try await redis.zscore(zset, member: "d") == 4.5)
            #expect(try await redis.zrem(zset, members: ["b", "zzz"]) == 1)
            #expect(try await redis.zcard(zset) == 3)

            let hash = prefix + "hash"
            #expect(try await redis.hset(hash, fields: [("status", "pending"), ("seq", "1")]) == 2)
            #expect(try await redis.hget(hash, field: "status") == "pending")
            #expect(try await redis.hget(hash, field: "missing") == nil)
            #expect(try await redis.hgetall(hash) == ["status": "pending", "seq": "1"])
            #expect(try await redis.hdel(hash, fields: ["seq"]) == 1)
            #expect(try await redis.hgetall(prefix + "nothing") == [:])
        }
    }

    @Test func observerSeesLowercasedCommandNames() async throws {
        let prefix = TestRedis.prefix()
        let seen = Mutex<[(String, Bool)]>([])
        let observer: RedisCommandObserver = { name, duration, succeeded in
            #expect(duration >= .zero)
            seen.withLock { $0.append((name, succeeded)) }
        }
        try await withClient(prefix: prefix, onCommand: observer) { redis async throws in
            try await redis.set(prefix + "k", "v")
            _ = try await redis.get(prefix + "k")
            _ = try? await redis.send(["HGET", prefix + "k", "f"])
        }
        let calls = seen.withLock { $0 }
        #expect(calls.map(\.0).prefix(3) == ["set", "get", "hget"])
        #expect(calls.map(\.1).prefix(3) == [true, true, false])
    }
}
