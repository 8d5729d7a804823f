/// One probe of the replica, and what it means for routing: a lag is known only when the
/// server is a standby (`pg_is_in_recovery()`) whose WAL receiver is `streaming`
/// (`pg_stat_wal_receiver`). A replica that lost its primary replays nothing and its
/// "replay lag" reads 0 while it falls further behind, so then the lag is unknown and
/// analytics go to the primary.
struct ReplicaLagReading: Sendable, Equatable {
    var reachable: Bool
    var inRecovery: Bool
    var receiverStatus: String?
    var lagMicros: Int64

    init(inRecovery: Bool, receiverStatus: String?, lagMicros: Int64) {
        self.reachable = true
        self.inRecovery = inRecovery
        self.receiverStatus = receiverStatus
        self.lagMicros = lagMicros
    }

    static let unreachable: ReplicaLagReading = {
        var reading = ReplicaLagReading(inRecovery: false, receiverStatus: nil, lagMicros: 0)
        reading.reachable = false
        return reading
    }()

    var isStreaming: Bool { reachable && inRecovery && receiverStatus == "streaming" }

    /// The lag, or `nil` when it cannot be known.
    var lag: Duration? { isStreaming ? .microseconds(max(0, lagMicros)) : nil }

    /// Why the lag is unknown, as a `db_routing_decisions_total` reason.
    var unknownReason: String {
        if !reachable { return "replica_down" }
        if !inRecovery { return "replica_not_standby" }
        return "replica_not_streaming"
    }
}
