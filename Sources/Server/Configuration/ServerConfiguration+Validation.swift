/// Rules that tie two fields together, checked after loading.
extension ServerConfiguration {
    public func validateRelations() throws {
        // A job still waiting on the provider when its visibility timeout passes is reclaimed
        // and run a second time while the first call is in flight.
        guard provider.timeoutMs < workers.visibilityTimeoutMs else {
            throw ConfigurationError(
                field: "provider.timeoutMs",
                reason: "must be less than workers.visibilityTimeoutMs (\(workers.visibilityTimeoutMs))"
            )
        }
    }
}

extension ServerConfiguration {
    /// A plain lower-case identifier (`db.appRole` is spliced into GRANT statements).
    static func isRoleName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63 else { return false }
        return (first == "_" || ("a"..."z").contains(first))
            && text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
