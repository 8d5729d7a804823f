import CJemalloc

/// jemalloc's view of the process heap. Every binary of this package links jemalloc (through
/// this module), so Swift's allocations are counted too.
public struct HeapStatistics: Sendable, Equatable {
    /// Bytes the application has allocated and not freed (`stats.allocated`).
    public var allocatedBytes: Int
    /// Bytes in physically resident data pages mapped by the allocator (`stats.resident`).
    public var residentBytes: Int
    /// Bytes in active pages: allocated plus the fragmentation inside those pages (`stats.active`).
    public var activeBytes: Int = 0
    /// Bytes of the allocator's own bookkeeping (`stats.metadata`).
    public var metadataBytes: Int = 0

    /// Current numbers, after refreshing jemalloc's cached statistics (`epoch`).
    /// `nil` when the allocator in use isn't jemalloc.
    public static func read() -> HeapStatistics? {
        var epochIn: UInt64 = 1
        var epochOut: UInt64 = 0
        var epochSize = MemoryLayout<UInt64>.size
        guard mallctl("epoch", &epochOut, &epochSize, &epochIn, MemoryLayout<UInt64>.size) == 0 else { return nil }
        guard let allocated = readSize("stats.allocated"), let resident = readSize("stats.resident") else { return nil }
        return HeapStatistics(
            allocatedBytes: allocated,
            residentBytes: resident,
            activeBytes: readSize("stats.active") ?? 0,
            metadataBytes: readSize("stats.metadata") ?? 0
        )
    }

    private static func readSize(_ name: String) -> Int? {
        var value = 0
        var size = MemoryLayout<Int>.size
        return mallctl(name, &value, &size, nil, 0) == 0 ? value : nil
    }
}
