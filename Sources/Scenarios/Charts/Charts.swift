import Foundation

/// The chart kinds a report draws, each a complete SVG with title, axes, units and legend.
public enum Charts {
    /// A vertical line at `x` with a label (a fault's start or end on a timeline).
    public struct Marker {
        public var x: Double
        public var label: String
        public var color: String

        public init(x: Double, label: String, color: String = "#c0392b") {
            self.x = x
            self.label = label
            self.color = color
        }
    }

    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// Grouped bars: one group per category, one bar per series; log scale when values span > 50×.
    public static func groupedBars(
        title: String,
        yLabel: String,
        categories: [String],
        series: [(name: String, values: [Double])],
        reference: (label: String, value: Double)? = nil
    ) -> String {
        let legend = legendWidth(series.map(\.name))
        let labelDrop = min(260, Double(categories.map(\.count).max() ?? 8) * 5.2 + 20)
        let width = max(640, 90 + Double(categories.count) * (Double(series.count) * 18 + 24) + legend)
        let height = 330 + labelDrop
        let plot = (left: 70.0 + labelDrop * 0.6, top: 50.0, right: width - legend, bottom: height - labelDrop)
        var svg = SVG(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: .middle, weight: "bold")
        let values = series.flatMap(\.values).filter { $0 > 0 } + (reference.map { [$0.value] } ?? [])
        let scale = ValueScale(values: values, low: plot.bottom, high: plot.top)
        drawYAxis(&svg, scale: scale, plot: plot, label: yLabel)
        if let reference { drawReference(&svg, reference, y: scale.position(reference.value), plot: plot) }
        let groupWidth = (plot.right - plot.left) / Double(max(categories.count, 1))
        let barWidth = min(28, (groupWidth - 12) / Double(max(series.count, 1)))
        for (categoryIndex, category) in categories.enumerated() {
            let groupStart = plot.left + Double(categoryIndex) * groupWidth + (groupWidth - barWidth * Double(series.count)) / 2
            for (seriesIndex, entry) in series.enumerated() where categoryIndex < entry.values.count {
                let value = entry.values[categoryIndex]
                guard value > 0 else { continue }
                let y = scale.position(value)
                svg.rect(
                    x: groupStart + Double(seriesIndex) * barWidth,
                    y: y,
                    width: barWidth - 2,
                    height: plot.bottom - y,
                    fill: chartPalette[seriesIndex % chartPalette.count],
                    title: "\(category) \(entry.name): \(formatNumber(value))"
                )
            }
            svg.text(category, x: plot.left + (Double(categoryIndex) + 0.5) * groupWidth, y: plot.bottom + 14, size: 10, anchor: .end, rotate: -30)
        }
        drawLegend(&svg, names: series.map(\.name), x: plot.right + 16, y: plot.top)
        return svg.render()
    }

    /// Lines over a numeric x axis (log₂ x when it spans > 8×, as pool sizes do).
    public static func lines(
        title: String,
        xLabel: String,
        yLabel: String,
        series: [Series],
        reference: (label: String, value: Double)? = nil,
        logY: Bool = false,
        xTicks: [Double]? = nil,
        linearX: Bool = false,
        markers: [Marker] = []
    ) -> String {
        let legend = legendWidth(series.map(\.name))
        let width = 530 + legend
        let height = max(420.0, 110 + Double(series.count) * 18)
        let plot = (left: 70.0, top: 50.0, right: width - legend, bottom: height - 60)
        var svg = SVG(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: .middle, weight: "bold")
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }.filter { $0 > 0 } + (reference.map { [$0.value] } ?? [])
        let yScale = ValueScale(values: ys, low: plot.bottom, high: plot.top, allowLog: true, forceLog: logY)
        drawYAxis(&svg, scale: yScale, plot: plot, label: yLabel)
        if let reference { drawReference(&svg, reference, y: yScale.position(reference.value), plot: plot) }
        let xMin = xs.min() ?? 0
        let xMax = xs.max() ?? 1
        let logX = !linearX && xMin > 0 && xMax / xMin > 8
        func xPosition(_ x: Double) -> Double {
            let (low, high, value) = logX ? (log2(xMin), log2(xMax), log2(x)) : (xMin, xMax, x)
            return high > low ? plot.left + (value - low) / (high - low) * (plot.right - plot.left) : (plot.left + plot.right) / 2
        }
        svg.line(x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, stroke: "#333")
        for x in xTicks ?? Array(Set(xs)).sorted() {
            svg.line(x1: xPosition(x), y1: plot.bottom, x2: xPosition(x), y2: plot.bottom + 5, stroke: "#333")
            svg.text(formatNumber(x), x: xPosition(x), y: plot.bottom + 18, size: 11, anchor: .middle)
        }
        svg.text(xLabel + (logX ? " (log scale)" : ""), x: (plot.left + plot.right) / 2, y: height - 18, size: 12, anchor: .middle)
        for (index, marker) in markers.enumerated() where marker.x >= xMin && marker.x <= xMax {
            let x = xPosition(marker.x)
            svg.line(x1: x, y1: plot.top, x2: x, y2: plot.bottom, stroke: marker.color, width: 1.5, dash: "6 3")
            svg.text(marker.label, x: x + 3, y: plot.top + 12 + Double(index % 2) * 13, size: 10, anchor: .start)
        }
        for (index, entry) in series.enumerated() {
            let color = chartPalette[index % chartPalette.count]
            let points = entry.points.filter { $0.y > 0 }.sorted { $0.x < $1.x }.map { (xPosition($0.x), yScale.position($0.y)) }
            svg.polyline(points, stroke: color)
            for (point, original) in zip(points, entry.points.filter { $0.y > 0 }.sorted { $0.x < $1.x }) where points.count <= 60 {
                svg.circle(
                    x: point.0,
                    y: point.1,
                    radius: 3.5,
                    fill: color,
                    title: "\(entry.name) @ \(formatNumber(original.x)): \(formatNumber(original.y))"
                )
            }
        }
        drawLegend(&svg, names: series.map(\.name), x: plot.right + 16, y: plot.top)
        return svg.render()
    }

    /// The HdrHistogram latency-by-percentile plot: x is 1/(1−p) on a log scale (50%, 90%, 99%, …).
    public static func distribution(title: String, series: [(name: String, points: [(percentile: Double, millis: Double)])]) -> String {
        let legend = legendWidth(series.map(\.name))
        let width = 540 + legend
        let height = max(440.0, 110 + Double(series.count) * 18)
        let plot = (left: 70.0, top: 50.0, right: width - legend, bottom: height - 60)
        var svg = SVG(width: width, height: height)
        svg.text(title, x: width / 2, y: 24, size: 16, anchor: .middle, weight: "bold")
        let maxNines = 5.0  // up to 99.999%
        func xPosition(_ percentile: Double) -> Double {
            let p = min(percentile, 99.999) / 100
            let nines = min(maxNines, log10(1 / max(1e-9, 1 - p)))
            return plot.left + nines / maxNines * (plot.right - plot.left)
        }
        let ys = series.flatMap { $0.points.map(\.millis) }.filter { $0 > 0 }
        let yScale = ValueScale(values: ys, low: plot.bottom, high: plot.top, allowLog: true)
        drawYAxis(&svg, scale: yScale, plot: plot, label: "latency (ms)")
        svg.line(x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, stroke: "#333")
        for (label, percentile) in [("0%", 0.0), ("90%", 90), ("99%", 99), ("99.9%", 99.9), ("99.99%", 99.99), ("99.999%", 99.999)] {
            let x = xPosition(percentile)
            svg.line(x1: x, y1: plot.top, x2: x, y2: plot.bottom, stroke: "#eee")
            svg.text(label, x: x, y: plot.bottom + 18, size: 11, anchor: .middle)
        }
        svg.text("percentile", x: (plot.left + plot.right) / 2, y: height - 18, size: 12, anchor: .middle)
        for (index, entry) in series.enumerated() {
            let points = entry.points.filter { $0.millis > 0 }.map { (xPosition($0.percentile), yScale.position($0.millis)) }
            svg.polyline(points, stroke: chartPalette[index % chartPalette.count])
        }
        drawLegend(&svg, names: series.map(\.name), x: plot.right + 16, y: plot.top)
        return svg.render()
    }

    static func drawYAxis(_ svg: inout SVG, scale: ValueScale, plot: (left: Double, top: Double, right: Double, bottom: Double), label: String) {
        svg.line(x1: plot.left, y1: plot.top, x2: plot.left, y2: plot.bottom, stroke: "#333")
        for tick in scale.ticks {
            let y = scale.position(tick)
            svg.line(x1: plot.left, y1: y, x2: plot.right, y2: y, stroke: "#eee")
            svg.text(formatNumber(tick), x: plot.left - 6, y: y + 4, size: 11, anchor: .end)
        }
        svg.text(label + (scale.logarithmic ? " (log scale)" : ""), x: 16, y: (plot.top + plot.bottom) / 2, size: 12, anchor: .middle, rotate: -90)
    }

    /// A dashed horizontal line with its label (a budget ceiling).
    static func drawReference(
        _ svg: inout SVG,
        _ reference: (label: String, value: Double),
        y: Double,
        plot: (left: Double, top: Double, right: Double, bottom: Double)
    ) {
        svg.line(x1: plot.left, y1: y, x2: plot.right, y2: y, stroke: "#c00", width: 1.5, dash: "6,4")
        svg.text(reference.label, x: plot.left + 6, y: y - 5, size: 11, anchor: .start, fill: "#c00")
    }

    /// Room for the legend: swatch plus the longest name.
    static func legendWidth(_ names: [String]) -> Double {
        max(120, 40 + Double(names.map(\.count).max() ?? 0) * 6.6)
    }

    static func drawLegend(_ svg: inout SVG, names: [String], x: Double, y: Double) {
        for (index, name) in names.enumerated() {
            let rowY = y + Double(index) * 18
            svg.rect(x: x, y: rowY - 10, width: 12, height: 12, fill: chartPalette[index % chartPalette.count])
            svg.text(name, x: x + 18, y: rowY, size: 11)
        }
    }
}

/// Maps values to pixels, linear from 0 or logarithmic when the data spans a wide range.
struct ValueScale {
    let logarithmic: Bool
    let minimum: Double
    let maximum: Double
    let low: Double
    let high: Double

    init(values: [Double], low: Double, high: Double, allowLog: Bool = true, forceLog: Bool = false) {
        let smallest = values.min() ?? 1
        let largest = max(values.max() ?? 1, 1e-9)
        self.logarithmic = (allowLog && smallest > 0 && largest / smallest > 50) || (forceLog && smallest > 0)
        if logarithmic {
            minimum = pow(10, floor(log10(smallest)))
            maximum = pow(10, ceil(log10(largest)))
        } else {
            minimum = 0
            maximum = ValueScale.niceCeiling(largest * 1.1)
        }
        self.low = low
        self.high = high
    }

    func position(_ value: Double) -> Double {
        let fraction: Double
        if logarithmic {
            fraction = (log10(max(value, minimum)) - log10(minimum)) / max(1e-9, log10(maximum) - log10(minimum))
        } else {
            fraction = (value - minimum) / max(1e-9, maximum - minimum)
        }
        return low + (high - low) * min(1, max(0, fraction))
    }

    var ticks: [Double] {
        if logarithmic {
            var result: [Double] = []
            var tick = minimum
            while tick <= maximum * 1.0001 {
                result.append(tick)
                tick *= 10
            }
            return result
        }
        return (0...5).map { minimum + (maximum - minimum) * Double($0) / 5 }
    }

    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}

/// Short numbers for axes and tooltips: 1200 → "1.2k", 0.25 → "0.25".
public func formatNumber(_ value: Double) -> String {
    if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
    if value >= 1000 { return String(format: "%.1fk", value / 1000) }
    if value >= 10 || value == value.rounded() { return String(format: "%.0f", value) }
    if value >= 1 { return String(format: "%.1f", value) }
    return String(format: "%.2g", value)
}
