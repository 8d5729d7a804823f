import Foundation
import HTTPTypes
import Hummingbird

/// The RFC 6455 §4.2.1 opening handshake, checked strictly before any upgrade: a request whose
/// `Connection`, `Upgrade`, `Sec-WebSocket-Version` or `Sec-WebSocket-Key` is malformed is
/// refused with 400 instead of being switched to a WebSocket on a best-effort reading.
enum UpgradeHandshake {
    /// What is wrong with `fields` as a WebSocket opening handshake, or `nil` when it is valid.
    static func problem(_ fields: HTTPFields) -> String? {
        guard let connection = tokens(fields, .connection), connection.contains("upgrade") else {
            return "Connection must be a token list that includes Upgrade"
        }
        guard let upgrade = tokens(fields, .upgrade), upgrade.contains("websocket") else {
            return "Upgrade must be a token list that includes websocket"
        }
        guard fields[values: .secWebSocketVersion] == ["13"] else {
            return "Sec-WebSocket-Version must be 13"
        }
        let keys = fields[values: .secWebSocketKey]
        guard keys.count == 1, let key = keys.first, key.utf8.count == 24,
            let decoded = Data(base64Encoded: key), decoded.count == 16
        else { return "Sec-WebSocket-Key must be 16 bytes in base64" }
        return nil
    }

    /// The lower-cased comma-separated tokens of every `name` field; `nil` when absent or when
    /// any element is not an RFC 9110 token (empty elements between commas are allowed).
    static func tokens(_ fields: HTTPFields, _ name: HTTPField.Name) -> Set<String>? {
        let values = fields[values: name]
        guard !values.isEmpty else { return nil }
        var result = Set<String>()
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let token = element.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                if token.isEmpty { continue }
                guard token.utf8.allSatisfy(isTokenCharacter) else { return nil }
                result.insert(token.lowercased())
            }
        }
        return result.isEmpty ? nil : result
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
