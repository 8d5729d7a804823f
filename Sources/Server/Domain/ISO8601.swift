import Foundation
import PostgresClient

/// ISO-8601 UTC timestamps with milliseconds, the wire format of every date.
///
/// Parsing and formatting work on integer milliseconds since 1970, never on a float of
/// seconds, so a timestamp a client sends comes back exactly as sent (`…03.278Z` stays
/// `…03.278Z`). The parser is strict: separators, field ranges (month 1–12, day within the
/// month, hour ≤ 23, minute and second ≤ 59), years 0001–9999, and nothing after the zone.
public enum ISO8601 {
    public static func string(_ date: Date) -> String {
        string(milliseconds: milliseconds(date))
    }

    /// `date` as whole milliseconds since 1970, truncated (PostgreSQL's microseconds drop
    /// their sub-millisecond part; a date made from milliseconds gives them back exactly).
    public static func milliseconds(_ date: Date) -> Int64 {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((micros / 1000).rounded(.down))
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public static func string(milliseconds: Int64) -> String {
        let days = floorDiv(milliseconds, 86_400_000)
        let inDay = milliseconds - days * 86_400_000
        let (year, month, day) = CivilDate.fromDays(Int(days))
        let ms = Int(inDay % 1000)
        let seconds = Int(inDay / 1000)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(seconds / 3600, 2) + ":"
            + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2) + "." + pad(ms, 3) + "Z"
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; fractions beyond milliseconds are
    /// truncated. `nil` for anything else.
    public static func date(_ text: String) -> Date? {
        milliseconds(text).map(date(milliseconds:))
    }

    public static func milliseconds(_ text: String) -> Int64? {
        TimestampText.parse(text, dateTimeSeparators: [UInt8(ascii: "T"), UInt8(ascii: "t")], style: .iso8601)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// A strict parser of the two timestamp spellings the server meets: ISO-8601 from clients
/// (`2026-11-28T01:02:03.123Z`) and PostgreSQL's `timestamptz` text (`2026-11-28 01:02:03.123456+00`).
/// Returns milliseconds since 1970, or `nil` on any malformed or out-of-range field.
enum TimestampText {
    enum Style {
        /// Zone `Z` or `±HH:MM`.
        case iso8601
        /// Zone `±HH`, `±HH:MM` or `±HH:MM:SS`, as PostgreSQL prints it.
        case postgres
    }

    static func parse(_ text: String, dateTimeSeparators: Set<UInt8>, style: Style) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ allowed: Set<UInt8>) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        let dash: Set<UInt8> = [UInt8(ascii: "-")]
        let colon: Set<UInt8> = [UInt8(ascii: ":")]
        guard let year = digits(4), expect(dash), let month = digits(2), expect(dash), let day = digits(2),
            expect(dateTimeSeparators), let hour = digits(2), expect(colon), let minute = digits(2), expect(colon),
            let second = digits(2)
        else { return nil }
        guard (1...9999).contains(year), (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var millis = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if count < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                count += 1
                index += 1
            }
            // PostgreSQL prints at most microseconds; clients may send up to nanoseconds.
            guard (1...(style == .postgres ? 6 : 9)).contains(count) else { return nil }
            if count < 3 { for _ in count..<3 { millis *= 10 } }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        let sign = bytes[index]
        if style == .iso8601, sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
            index += 1
        } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            index += 1
            guard let hours = digits(2), hours <= 23 else { return nil }
            var minutes = 0
            var seconds = 0
            if style == .iso8601 || index < bytes.count {
                guard expect(colon), let parsed = digits(2), parsed <= 59 else { return nil }
                minutes = parsed
            }
            if style == .postgres, index < bytes.count {
                guard expect(colon), let parsed = digits(2), parsed <= 59 else { return nil }
                seconds = parsed
            }
            offsetSeconds = (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }
}
