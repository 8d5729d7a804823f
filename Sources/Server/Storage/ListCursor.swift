import Foundation

/// An opaque listing position: the last item's exact `created_at` text and id, base64url.
///
/// A cursor is client input: decoding checks the whole thing strictly (base64url, UTF-8, no NUL,
/// a `timestamptz` text with every field in range and nothing after the zone, a UUID), so a
/// forged one is a 422 and never reaches PostgreSQL as a value it would reject.
enum ListCursor {
    /// Longest cursor text accepted (a real one is about 90 characters).
    static let maxLength = 256

    static func encode(createdAt: String, id: String) -> String {
        Data("\(createdAt)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (createdAt: String, id: String)? {
        guard !cursor.isEmpty, cursor.utf8.count <= maxLength,
            cursor.utf8.allSatisfy({ isBase64URL($0) })
        else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            !text.unicodeScalars.contains("\u{0}")
        else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, UUIDText.isValid(parts[1]),
            TimestampText.parse(parts[0], dateTimeSeparators: [UInt8(ascii: " ")], style: .postgres) != nil
        else { return nil }
        return (parts[0], parts[1])
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
