import Foundation
import Profiler

/// HdrHistogram's V2 compressed encoding (as in `.hlog` interval logs), for the lab's
/// histograms (1 µs … 1 h, 3 significant digits). The DEFLATE stream uses stored blocks, which
/// every zlib inflater reads; decoding accepts exactly what `encode` writes.
enum HdrEncoding {
    static let subBucketHalfCountMagnitude = 10
    static let subBucketHalfCount = 1 << 10
    static let leadingZeroCountBase = 53
    static let subBucketMask: UInt64 = 2047
    static let encodingCookie: UInt32 = 0x1c84_9303 | 0x10
    static let compressedCookie: UInt32 = 0x1c84_9304 | 0x10

    static func index(of value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - subBucketHalfCount
    }

    static func value(at index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    /// Base64 of the compressed V2 encoding.
    static func encode(_ histogram: LatencyHistogram) -> String {
        var counts: [Int: UInt64] = [:]
        for item in histogram.histogram.recordedValues() where item.count > 0 {
            counts[index(of: item.value), default: 0] += UInt64(item.count)
        }
        var payload: [UInt8] = []
        let limit = (counts.keys.max() ?? -1) + 1
        var position = 0
        while position < limit {
            let count = counts[position] ?? 0
            position += 1
            if count == 0 {
                var zeros: Int64 = 1
                while position < limit, counts[position] == nil {
                    zeros += 1
                    position += 1
                }
                putZigZag(&payload, zeros > 1 ? -zeros : 0)
            } else {
                putZigZag(&payload, Int64(count))
            }
        }
        var plain: [UInt8] = []
        putInt32(&plain, encodingCookie)
        putInt32(&plain, UInt32(payload.count))
        putInt32(&plain, 0)  // normalizing index offset
        putInt32(&plain, 3)  // significant digits
        putInt64(&plain, 1)  // lowest discernible value
        putInt64(&plain, LatencyHistogram.highestTrackableMicros)
        putInt64(&plain, Double(1).bitPattern)  // integer-to-double conversion ratio
        plain += payload
        let deflated = zlibStored(plain)
        var result: [UInt8] = []
        putInt32(&result, compressedCookie)
        putInt32(&result, UInt32(deflated.count))
        result += deflated
        return Data(result).base64EncodedString()
    }

    /// The inverse of `encode` (nil for anything else).
    static func decode(_ base64: String) -> LatencyHistogram? {
        guard let data = Data(base64Encoded: base64) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count > 8, readInt32(bytes, 0) == compressedCookie, let plain = zlibStoredInflate(Array(bytes[8...])),
            plain.count >= 40, readInt32(plain, 0) == encodingCookie
        else { return nil }
        let payloadLength = Int(readInt32(plain, 4))
        guard plain.count >= 40 + payloadLength else { return nil }
        var histogram = LatencyHistogram()
        var offset = 40
        var index = 0
        while offset < 40 + payloadLength {
            guard let value = getZigZag(plain, &offset) else { return nil }
            if value < 0 {
                index += Int(-value)
            } else {
                if value > 0 { histogram.record(micros: HdrEncoding.value(at: index), count: UInt64(value)) }
                index += 1
            }
        }
        return histogram
    }

    static func putZigZag(_ buffer: inout [UInt8], _ signed: Int64) {
        var value = UInt64(bitPattern: (signed << 1) ^ (signed >> 63))
        for _ in 0..<8 {
            if value >> 7 == 0 {
                buffer.append(UInt8(value))
                return
            }
            buffer.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    static func getZigZag(_ bytes: [UInt8], _ offset: inout Int) -> Int64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byteIndex in 0..<9 {
            guard offset < bytes.count else { return nil }
            let byte = bytes[offset]
            offset += 1
            if byteIndex == 8 {
                value |= UInt64(byte) << 56
                break
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (value >> 1)) ^ -Int64(bitPattern: value & 1)
    }

    static func putInt32(_ buffer: inout [UInt8], _ value: UInt32) {
        buffer += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func putInt64(_ buffer: inout [UInt8], _ value: UInt64) {
        putInt32(&buffer, UInt32(value >> 32))
        putInt32(&buffer, UInt32(value & 0xFFFF_FFFF))
    }

    static func readInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// A zlib stream of stored (uncompressed) DEFLATE blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let final: UInt8 = end == data.count ? 1 : 0
            let length = UInt16(end - start)
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        putInt32(&out, (b << 16) | a)
        return out
    }

    static func zlibStoredInflate(_ stream: [UInt8]) -> [UInt8]? {
        guard stream.count >= 2 else { return nil }
        var offset = 2
        var out: [UInt8] = []
        while true {
            guard offset + 5 <= stream.count, stream[offset] & 0x06 == 0 else { return nil }  // stored blocks only
            let final = stream[offset] & 1 == 1
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            offset += 5
            guard offset + length <= stream.count else { return nil }
            out += stream[offset..<offset + length]
            offset += length
            if final { break }
        }
        return out
    }
}
