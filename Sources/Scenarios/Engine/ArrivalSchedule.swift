/// How operations arrive: at a constant interval or as a Poisson process (exponential gaps).
public enum ArrivalProcess: String, Codable, Sendable, CaseIterable {
    case constant
    case poisson
}

/// An open-loop arrival schedule: offsets (from the start of the run) at which operations are due.
///
/// The schedule never looks at how long operations take — that is what makes the load open-loop.
public struct ArrivalSchedule: Sequence, Sendable {
    public var rate: Double
    public var process: ArrivalProcess
    public var seed: UInt64 = 0x5EED

    public func makeIterator() -> Iterator {
        Iterator(rate: rate, process: process, generator: SplitMix64(seed: seed))
    }

    /// Offsets in nanoseconds from the run's start, strictly increasing for constant arrivals.
    public struct Iterator: IteratorProtocol {
        let rate: Double
        let process: ArrivalProcess
        var generator: SplitMix64
        var index: Int = 0
        var elapsedNanos: Double = 0

        public mutating func next() -> UInt64? {
            guard rate > 0, rate.isFinite else { return nil }
            let meanGap = 1e9 / rate
            switch process {
            case .constant:
                elapsedNanos = Double(index) * meanGap
            case .poisson:
                // Exponential inter-arrival gap; the first arrival is at 0.
                if index > 0 {
                    let u = generator.nextUnitInterval()
                    elapsedNanos += -log(1 - u) * meanGap
                }
            }
            index += 1
            return UInt64(elapsedNanos)
        }
    }
}

#if canImport(Glibc)
import ProviderSimulator
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
