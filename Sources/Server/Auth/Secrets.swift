import Crypto
import Foundation

/// Random secrets and their one-way hashes. Tokens and codes are never stored or logged in the
/// clear: PostgreSQL and Redis only ever see SHA-256 hex digests.
enum Secrets {
    /// A bearer token: 32 random bytes, base64url without padding (43 characters).
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A uniformly random six-digit one-time code.
    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = Int.random(in: 0..<1_000_000, using: &generator)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func tokenHash(_ token: String) -> String { sha256Hex(token) }

    /// Binds the code to the phone so a stolen hash of one phone's code is useless for another.
    static func codeHash(phone: String, code: String) -> String { sha256Hex("otp:\(phone):\(code)") }
}
