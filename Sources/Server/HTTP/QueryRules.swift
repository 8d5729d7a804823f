/// Query-string values every route shares. Each rejects what PostgreSQL would refuse, so a
/// hostile value is a 422 and never a failed statement.
enum QueryRules {
    /// `afterSeq` of `/sync`: an integer in `0...Int32.max` (`seq` is an `int` column).
    static func afterSeq(_ text: String) -> Int? {
        guard text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text),
            value <= Int(Int32.max)
        else { return nil }
        return value
    }

    static let afterSeqProblem = "must be an integer in 0...2147483647"
}
