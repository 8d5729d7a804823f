import Crypto
import Foundation

/// Random secrets and their one-way hashes. Tokens and codes are never stored or logged in the
/// clear: PostgreSQL and Redis only ever see digests.
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
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Tokens carry 256 random bits: a plain SHA-256 can't be reversed by enumeration.
    static func tokenHash(_ token: String) -> String { sha256Hex(token) }

    /// HMAC-SHA256 keyed by the deployment's secret over phone and code: a code has only 10⁶
    /// values, so an unkeyed hash taken from a backup or the replica would be reversed in
    /// milliseconds; without the key it can't be. Binding the phone makes one phone's hash
    /// useless for another.
    static func codeHash(phone: String, code: String, secret: String) -> String {
        let key = derivedKey(secret, purpose: "otp-code-hash")
        return hex(HMAC<SHA256>.authenticationCode(for: Data("\(phone)\u{0}\(code)".utf8), using: key))
    }

    /// A 256-bit key for one purpose, derived from the configured secret (HKDF-SHA256).
    static func derivedKey(_ secret: String, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data(purpose.utf8), outputByteCount: 32)
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
