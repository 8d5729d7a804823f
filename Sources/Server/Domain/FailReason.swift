import Foundation

/// The `reason` of `POST /api/requests/:id/fail`: 1–500 Unicode scalars and at most 2000
/// UTF-8 bytes, no NUL. Counted in scalars and bytes, never grapheme clusters: one "character"
/// can hold any number of combining scalars, so a cluster count bounds nothing.
public enum FailReason {
    public static let maxScalars = 500
    public static let maxBytes = 2000

    /// The reason, or the problem with `value` (a decoded JSON value; `nil` when absent).
    public static func validate(_ value: Any?) -> Result<String, FieldProblem> {
        guard let value, !(value is NSNull) else { return .failure(FieldProblem("is required")) }
        guard let text = value as? String else { return .failure(FieldProblem("must be a string")) }
        let scalars = text.unicodeScalars.count
        guard scalars >= 1, scalars <= maxScalars, text.utf8.count <= maxBytes else {
            return .failure(FieldProblem("must be 1-\(maxScalars) Unicode scalars and at most \(maxBytes) UTF-8 bytes"))
        }
        guard !text.unicodeScalars.contains("\u{0}") else { return .failure(FieldProblem("must not contain NUL characters")) }
        return .success(text)
    }
}

