/// Which server instance a user's calls and WebSocket go to, when a cell runs several.
///
/// User `u` (its position in the signed-in list) makes every HTTP call of its requests on
/// instance `u mod N` — the operators acting on those requests call the same instance — and
/// watches them over a WebSocket on instance `(u + 1) mod N`. With more than one instance every
/// event therefore reaches its observer through Redis pub/sub from another process, and the
/// delivery lag the lab reports is the cross-instance one (docs/lab.md "Topology").
public struct InstanceRouter: Sendable {
    public let baseURLs: [String]
    public let apis: [APIClient]

    /// One client per instance, in the same order as `baseURLs` (both non-empty).
    public init(baseURLs: [String], apis: [APIClient]) {
        precondition(!apis.isEmpty && apis.count == baseURLs.count, "one APIClient per base URL")
        self.baseURLs = baseURLs
        self.apis = apis
    }

    public var count: Int { apis.count }

    /// The instance that serves user `index`'s requests.
    public func home(user index: Int) -> Int { index % count }

    /// The instance user `index`'s WebSocket connects to: the next one, so never the one that
    /// performs the transitions (when there are at least two).
    public func observer(user index: Int) -> Int { (index + 1) % count }

    public func api(user index: Int) -> APIClient { apis[home(user: index)] }

    /// Spreads independent calls (e.g. dashboard reads) round-robin by arrival.
    public func api(arrival index: Int) -> APIClient { apis[index % count] }
}
