import Testing

@testable import Scenarios

@Suite struct ArrivalScheduleTests {
    @Test func constantArrivalsAreEvenlySpaced() {
        let offsets = Array(ArrivalSchedule(rate: 100, process: .constant).prefix(5))
        #expect(offsets == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000])
    }

    @Test func poissonScheduleHasTheRequestedMeanRate() {
        let count = 20_000
        let offsets = Array(ArrivalSchedule(rate: 100, process: .poisson, seed: 7).prefix(count))
        let seconds = Double(offsets[count - 1]) / 1e9
        let rate = Double(count - 1) / seconds
        #expect(abs(rate - 100) < 3, "measured rate \(rate)")
        // Exponential gaps: the coefficient of variation is 1 (constant arrivals would give 0).
        let gaps = zip(offsets.dropFirst(), offsets).map { Double($0 - $1) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        #expect(abs(variance.squareRoot() / mean - 1) < 0.05)
    }

    @Test func poissonOffsetsIncreaseAndAreReproducible() {
        let first = Array(ArrivalSchedule(rate: 50, process: .poisson, seed: 3).prefix(1000))
        let second = Array(ArrivalSchedule(rate: 50, process: .poisson, seed: 3).prefix(1000))
        #expect(first == second)
        #expect(zip(first.dropFirst(), first).allSatisfy { $0 >= $1 })
    }

    @Test func zeroRateSchedulesNothing() {
        #expect(Array(ArrivalSchedule(rate: 0, process: .constant).prefix(3)).isEmpty)
    }

    @Test func usersAreSizedToStayUnderThePerUserLimit() {
        let load = LoadSpec(rate: 20, duration: 20, warmup: 4)
        let users = load.usersNeeded(perUserPerMinute: 8)
        #expect(Double(users) >= 20 * 24 / 8)
        // Long runs: what matters is any minute, not the whole run.
        #expect(LoadSpec(rate: 20, duration: 600, warmup: 0).usersNeeded() == 20 * 60 / 8 + 1)
    }
}
