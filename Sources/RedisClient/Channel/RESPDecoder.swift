import CHiredis
import NIOCore

/// Redis replies from a connection's bytes, parsed by hiredis' own reader (the parser
/// ``RedisConnection`` uses through its blocking context), so both clients read RESP alike.
final class RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RedisValue

    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        // Only fails when out of memory.
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if buffer.readableBytes > 0 {
            let fed = buffer.withUnsafeReadableBytes { bytes in
                redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
            }
            guard fed == REDIS_OK else { throw RedisError.unexpectedReply("unreadable reply") }
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        // Every complete reply now, whatever the handler does with an empty buffer afterwards.
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw RedisError.unexpectedReply("malformed reply") }
            guard let raw else { return .needMoreData }
            let value = Hiredis.value(raw.assumingMemoryBound(to: redisReply.self))
            freeReplyObject(raw)
            context.fireChannelRead(wrapInboundOut(value))
        }
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// A command as RESP: an array of bulk strings (binary-safe).
enum RESPEncoding {
    static func write(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.count))
            buffer.writeStaticString("\r\n")
            buffer.writeBytes(argument)
            buffer.writeStaticString("\r\n")
        }
    }
}
