import RedisClient
import Testing

@Suite struct RedisScriptTests {
    @Test func evalRunsAScript() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix) { redis async throws in
            let reply = try await redis.eval("return {KEYS[1], ARGV[1], 7}", keys: [prefix + "k"], args: ["a"])
            #expect(reply == .array([.bulk(Array((prefix + "k").utf8)), .bulk(Array("a".utf8)), .integer(7)]))
        }
    }

    @Test func evalSHAReloadsAfterScriptFlush() async throws {
        let prefix = TestRedis.prefix()
        // Unique text, so this test's SHA is its own.
        let script = "-- \(prefix)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])"
        try await withClient(prefix: prefix) { redis async throws in
            let key = prefix + "counter"
            #expect(try await redis.evalSHA(script, keys: [key], args: ["2"]).int == 2)
            #expect(try await redis.evalSHA(script, keys: [key], args: ["3"]).int == 5)
            try await redis.send(["SCRIPT", "FLUSH"])
            #expect(try await redis.evalSHA(script, keys: [key], args: ["4"]).int == 9)
        }
    }

    @Test func scriptErrorsAreCommandFailures() async throws {
        try await withClient { redis async throws in
            await #expect {
                try await redis.evalSHA("return redis.error_reply('RATE limited')")
            } throws: { error in
                (error as? RedisError)?.replyPrefix == "RATE"
            }
        }
    }
}
