/// Currencies and amounts of docs/design.md §4 "Money". Amounts stay decimal strings end to end
/// (`numeric` in PostgreSQL); no binary floating point ever touches them.
public enum FiatCurrency: String, Sendable, CaseIterable, Codable {
    case USD, EUR, GBP
}

public enum CryptoCurrency: String, Sendable, CaseIterable, Codable {
    case BTC, ETH, USDT, USDC
}

public enum FiatAmount {
    /// Largest accepted amount, in cents.
    static let maximumCents = 100_000_000

    /// Validates `^[0-9]+(\.[0-9]{1,2})?$`, > 0, ≤ 1000000.00; returns the amount normalised to
    /// two decimals (`"100"` → `"100.00"`) or the reason it is refused.
    public static func normalise(_ text: String) -> Result<String, FieldProblem> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2,
            let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigit)
        else {
            return .failure(FieldProblem("must be a decimal string with at most 2 fractional digits, e.g. \"1250.50\""))
        }
        let trimmedWhole = whole.drop { $0 == "0" }
        guard trimmedWhole.count <= 7, let units = Int(trimmedWhole.isEmpty ? "0" : trimmedWhole) else {
            return .failure(FieldProblem("must not exceed 1000000.00"))
        }
        var fraction = parts.count == 2 ? String(parts[1]) : "00"
        if fraction.count == 1 { fraction += "0" }
        let cents = units * 100 + (Int(fraction) ?? 0)
        guard cents > 0 else { return .failure(FieldProblem("must be greater than 0")) }
        guard cents <= maximumCents else { return .failure(FieldProblem("must not exceed 1000000.00")) }
        return .success("\(units).\(fraction)")
    }
}

/// Why one field of a body was refused (the `details` of a 422).
public struct FieldProblem: Error, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
