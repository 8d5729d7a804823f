import Crypto
import Foundation

/// Seals the text of a sign-in SMS (which holds the code) with AES-GCM under a key derived
/// from `auth.secret`, so the outbox, the critical stream, its dead letters and the replica
/// only ever hold ciphertext; the provider call opens it at send time. Every process that
/// sends (servers, workers) must share the secret.
public struct CodeSealer: Sendable {
    /// The key's bytes (`SymmetricKey` itself isn't `Sendable`).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(secret: String) {
        keyBytes = Secrets.derivedKey(secret, purpose: "otp-sms-seal").withUnsafeBytes { Array($0) }
    }

    /// Base64 of nonce ‖ ciphertext ‖ tag.
    func seal(_ text: String) -> String {
        // AES.GCM.seal only throws for nonce or key sizes, which are fixed here.
        guard let combined = try? AES.GCM.seal(Data(text.utf8), using: key).combined else { return "" }
        return combined.base64EncodedString()
    }

    /// The sealed text, or `nil` when it wasn't sealed with this secret (or was altered).
    func open(_ sealed: String) -> String? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
