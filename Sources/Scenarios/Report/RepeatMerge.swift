import Profiler

/// Repeats of one configuration are combined by merging their histograms, never by averaging
/// percentiles: the merged p99 is the p99 of every request of every repeat.
public enum RepeatMerge {
    /// Label → operation → summary of the repeats' merged histograms; only labels run more than once.
    public static func merged(cells: [CellReport], measurements: [Int: CellMeasurement]) -> [String: [String: OperationStats]]? {
        let groups = Dictionary(grouping: cells.filter { $0.failure == nil }, by: \.label).filter { $0.value.count > 1 }
        guard !groups.isEmpty else { return nil }
        var result: [String: [String: OperationStats]] = [:]
        for (label, group) in groups {
            var histograms: [String: LatencyHistogram] = [:]
            var errors: [String: Int] = [:]
            for cell in group {
                let source = measurements[cell.id]?.judged ?? [:]
                for (operation, histogram) in source { histograms[operation, default: LatencyHistogram()].add(histogram) }
                for (operation, stats) in cell.operations { errors[operation, default: 0] += stats.errors }
            }
            guard !histograms.isEmpty else { continue }
            result[label] = histograms.mapValues { $0 }.reduce(into: [:]) { partial, entry in
                partial[entry.key] = entry.value.summary(errors: errors[entry.key] ?? 0)
            }
        }
        return result.isEmpty ? nil : result
    }
}
