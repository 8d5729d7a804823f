import Foundation
import Profiler

/// HdrHistogram interval logs (`.hlog`, format 1.3): one line per operation per one-second
/// interval, `Tag=<operation>,<start s>,<length s>,<max s>,<compressed histogram>`. Readable by
/// HdrHistogram's own tools (HistogramLogProcessor, HdrHistogramVisualizer) and by `read`.
public enum IntervalLog {
    /// The log text for a cell's intervals; `startTime` is the cell's start (seconds since 1970).
    public static func render(_ intervals: [IntervalSlice], startTime: Double, operations: Set<String>? = nil) -> String {
        var lines = [
            "#[Histogram log format version 1.3]",
            "#[StartTime: \(String(format: "%.3f", startTime)) (seconds since epoch)]",
            "#[Latencies in microseconds; Interval_Max in seconds]",
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"",
        ]
        for slice in intervals {
            for (operation, histogram) in slice.histograms.sorted(by: { $0.key < $1.key }) where histogram.count > 0 {
                if let operations, !operations.contains(operation) { continue }
                let tag = operation.replacingOccurrences(of: ",", with: "_").replacingOccurrences(of: " ", with: "_")
                lines.append(
                    "Tag=\(tag),\(String(format: "%.3f", slice.start)),\(String(format: "%.3f", slice.end - slice.start)),"
                        + "\(String(format: "%.6f", histogram.maxMillis / 1000)),\(HdrEncoding.encode(histogram))"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a log `render` wrote: per tag, the intervals in order.
    public static func read(_ text: String) -> [String: [(start: Double, length: Double, histogram: LatencyHistogram)]] {
        var result: [String: [(start: Double, length: Double, histogram: LatencyHistogram)]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("Tag=") {
            let fields = line.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 5, let start = Double(fields[1]), let length = Double(fields[2]),
                let histogram = HdrEncoding.decode(String(fields[4]))
            else { continue }
            result[String(fields[0]), default: []].append((start, length, histogram))
        }
        return result
    }

    /// Every interval of each tag added up.
    public static func totals(_ text: String) -> [String: LatencyHistogram] {
        read(text).mapValues { intervals in
            intervals.reduce(into: LatencyHistogram()) { $0.add($1.histogram) }
        }
    }
}
