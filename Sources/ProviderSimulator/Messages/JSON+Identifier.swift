import WireJSON

extension JSON {
    /// A string, or an integer written as a string (ids may arrive either way).
    var identifierValue: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        default: nil
        }
    }
}
