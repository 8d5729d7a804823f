import WireJSON

/// The `reason` a `fail` must carry: a string of 1–500 characters.
public enum FailReason {
    public static let maxLength = 500

    /// Checks the body's `reason` field (`nil` when absent).
    public static func validate(_ value: JSON?) -> Result<String, FieldProblem> {
        switch value {
        case .string(let text)? where (1...maxLength).contains(text.count): .success(text)
        case .string?: .failure(FieldProblem("must be 1-\(maxLength) characters"))
        case nil, .null?: .failure(FieldProblem("is required"))
        default: .failure(FieldProblem("must be a string"))
        }
    }
}
