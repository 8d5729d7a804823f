import Prometheus

/// Exports `process_heap_allocated_bytes` and `process_heap_resident_bytes`; call `update()`
/// before rendering (the server does it on every scrape).
public struct HeapMetrics: Sendable {
    private let allocated: Gauge
    private let resident: Gauge

    public init(registry: MetricsRegistry) {
        allocated = registry.gauge("process_heap_allocated_bytes", help: "Bytes allocated by the application and not yet freed (jemalloc stats.allocated).")
        resident = registry.gauge("process_heap_resident_bytes", help: "Bytes in resident pages mapped by the allocator (jemalloc stats.resident).")
    }

    public func update() {
        guard let stats = HeapStatistics.read() else { return }
        allocated.set(Double(stats.allocatedBytes))
        resident.set(Double(stats.residentBytes))
    }
}
