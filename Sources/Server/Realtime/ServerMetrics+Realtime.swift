import Prometheus

/// Real-time metrics beyond the contract's `ws_*` set in ``ServerMetrics``.
extension ServerMetrics {
    var wsSubscriberConnected: Gauge {
        registry.gauge("ws_pubsub_connected", help: "1 while this instance's Redis pub/sub connection for exchange:events is up and subscribed.")
    }

    var wsSubscriberReconnects: Counter {
        registry.counter("ws_pubsub_reconnects_total",
                         help: "Reconnections of the Redis pub/sub connection; events published while it was down "
                             + "were not delivered live (clients repair via /sync).")
    }

    func wsEventsDropped(_ reason: String) -> Counter {
        registry.counter("ws_events_dropped_total", help: "Pub/sub messages not delivered to any socket, by reason (malformed).",
                         labels: [("reason", reason)])
    }
}
