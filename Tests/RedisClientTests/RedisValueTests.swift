import RedisClient
import Testing

@Suite struct RedisValueTests {
    @Test func accessors() {
        #expect(RedisValue.simpleString("OK").string == "OK")
        #expect(RedisValue.bulk(Array("42".utf8)).string == "42")
        #expect(RedisValue.bulk(Array("42".utf8)).int == 42)
        #expect(RedisValue.integer(7).int == 7)
        #expect(RedisValue.null.string == nil)
        #expect(RedisValue.null.isNull)
        #expect(RedisValue.array([.integer(1), .null]).array == [.integer(1), .null])
        #expect(RedisValue.integer(1).array == nil)
        #expect(RedisValue.bulk([0, 13, 10]).bytes == [0, 13, 10])
    }

    @Test func commandNameIsLowercased() {
        #expect(RedisCommand(["XREADGROUP", "GROUP"]).name == "xreadgroup")
        #expect(RedisCommand(bytes: []).name == "")
    }

    @Test func errorCodesAreStable() {
        #expect(RedisError.connectionFailed("x").code == "connection_failed")
        #expect(RedisError.commandFailed("ERR x").code == "command_failed")
        #expect(RedisError.timeout.code == "timeout")
        #expect(RedisError.unexpectedReply("x").code == "unexpected_reply")
        #expect(RedisError.closed.code == "closed")
        #expect(RedisError.commandFailed("NOSCRIPT No matching script").replyPrefix == "NOSCRIPT")
    }
}
