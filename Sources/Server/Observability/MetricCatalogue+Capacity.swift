// MARK: Memory and stats at scale (docs/performance.md)

extension MetricDefinition {
    static let heapActive = MetricDefinition(
        "process_heap_active_bytes",
        .gauge,
        unit: "bytes",
        updates: "at each scrape (jemalloc)",
        help: "Bytes in the allocator's active pages: allocated bytes plus the fragmentation inside their pages (jemalloc stats.active)."
    )

    static let heapMetadata = MetricDefinition(
        "process_heap_metadata_bytes",
        .gauge,
        unit: "bytes",
        updates: "at each scrape (jemalloc)",
        help: "Bytes the allocator uses for its own bookkeeping (jemalloc stats.metadata)."
    )

    static let processResidentMemory = MetricDefinition(
        "process_resident_memory_bytes",
        .gauge,
        unit: "bytes",
        updates: "at each scrape (/proc/self/statm)",
        help: "Resident set size of the process: heap, thread stacks, code and everything else in RAM."
    )

    static let statsRowsRead = MetricDefinition(
        "exchange_stats_rows_read_total",
        .counter,
        labels: ["part"],
        unit: "rows",
        processes: [.serve],
        updates: "every GET /api/stats",
        help:
            "Rows GET /api/stats aggregated: raw (requests rows in the partial hours at the window's edges) and rollup (request_stats_hourly rows for its whole hours).",
        seeds: [["raw"], ["rollup"]]
    )
}
