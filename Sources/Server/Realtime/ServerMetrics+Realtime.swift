import Prometheus

/// Real-time metrics beyond the contract's `ws_*` set in ``ServerMetrics``.
extension ServerMetrics {
    var wsSubscriberConnected: Gauge {
        registry.gauge(.wsPubSubConnected)
    }

    var wsSubscriberReconnects: Counter {
        registry.counter(.wsPubSubReconnects)
    }

    func wsEventsDropped(_ reason: String) -> Counter {
        registry.counter(.wsEventsDropped, [reason])
    }
}
