/// E.164 phone numbers: `^\+[1-9][0-9]{7,14}$`.
enum Phone {
    static func isValid(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 9, scalars.count <= 16, scalars[0] == "+" else { return false }
        guard ("1"..."9").contains(scalars[1]) else { return false }
        return scalars.dropFirst(2).allSatisfy { ("0"..."9").contains($0) }
    }

    /// `+1555…1234` → `+155*****34`, for logs (never the whole number).
    static func redacted(_ text: String) -> String {
        guard text.count > 6 else { return "***" }
        return String(text.prefix(4)) + String(repeating: "*", count: text.count - 6) + String(text.suffix(2))
    }
}
