/// Rules that tie two fields together, checked after loading.
extension ServerConfiguration {
    public func validateRelations() throws {
        // A job still waiting on the provider when its visibility timeout passes is reclaimed
        // and run a second time while the first call is in flight.
        guard provider.timeoutMs < workers.visibilityTimeoutMs else {
            throw ConfigurationError(field: "provider.timeoutMs",
                                     reason: "must be less than workers.visibilityTimeoutMs (\(workers.visibilityTimeoutMs))")
        }
    }
}
