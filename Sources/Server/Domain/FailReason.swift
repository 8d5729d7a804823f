import WireJSON

/// The `reason` of `POST /api/requests/:id/fail`: 1–500 Unicode scalars and at most 2000
/// UTF-8 bytes, no NUL. Counted in scalars and bytes, never grapheme clusters: one "character"
/// can hold any number of combining scalars, so a cluster count bounds nothing.
public enum FailReason {
    public static let maxScalars = 500
    public static let maxBytes = 2000

    /// The reason, or the problem with `value` (the body's field; `nil` when absent).
    public static func validate(_ value: JSON?) -> Result<String, FieldProblem> {
        switch value {
        case nil, .null?:
            return .failure(FieldProblem("is required"))
        case .string(let text)?:
            let scalars = text.unicodeScalars.count
            guard scalars >= 1, scalars <= maxScalars, text.utf8.count <= maxBytes else {
                return .failure(FieldProblem("must be 1-\(maxScalars) Unicode scalars and at most \(maxBytes) UTF-8 bytes"))
            }
            guard !text.unicodeScalars.contains("\u{0}") else { return .failure(FieldProblem("must not contain NUL characters")) }
            return .success(text)
        default:
            return .failure(FieldProblem("must be a string"))
        }
    }
}
