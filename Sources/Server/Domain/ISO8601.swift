import Foundation

/// ISO-8601 UTC timestamps with milliseconds, the wire format of every date.
public enum ISO8601 {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func string(_ date: Date) -> String {
        date.formatted(style)
    }

    /// Accepts timestamps with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }
}
