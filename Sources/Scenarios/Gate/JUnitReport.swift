import Foundation

/// JUnit XML for CI: one test case per (cell, threshold); breaches are failures.
public enum JUnitReport {
    public static func render(suite: String, rows: [GateEvaluator.Row], seconds: Double) -> String {
        let failures = rows.filter { !$0.passed }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites tests=\"\(rows.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", seconds))\">\n"
        xml +=
            "  <testsuite name=\"\(escape(suite))\" tests=\"\(rows.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(String(format: "%.3f", seconds))\">\n"
        for row in rows {
            let name = escape("\(row.key): \(row.threshold)")
            xml += "    <testcase classname=\"\(escape(suite)).\(escape(row.cell))\" name=\"\(name)\" time=\"0\">\n"
            if !row.passed {
                xml += "      <failure message=\"\(escape("measured \(row.measuredText), budget \(row.threshold)"))\" type=\"budget\"/>\n"
            } else {
                xml += "      <system-out>\(escape("measured \(row.measuredText)"))</system-out>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    static func escape(_ text: String) -> String {
        SVG.escape(text).replacingOccurrences(of: "'", with: "&apos;")
    }
}
