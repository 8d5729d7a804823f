import Testing

@testable import Server

@Suite struct RetryPolicyTests {
    @Test func contractAttemptsPerQueue() {
        #expect(RetryPolicy.standard(for: .critical).maxAttempts == 5)
        #expect(RetryPolicy.standard(for: .standard).maxAttempts == 3)
        #expect(RetryPolicy.standard(for: .analytics).maxAttempts == 1)
        #expect(RetryPolicy.standard(for: .critical).baseDelay == .seconds(1))
    }

    @Test func criticalBacksOffExponentiallyFromOneSecond() {
        let policy = RetryPolicy.standard(for: .critical)
        #expect((1...4).map { policy.nominalDelay(afterAttempt: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(policy.decide(failedAttempt: 1, random: 0.5) == .retry(attempt: 2, after: .seconds(1)))
        #expect(policy.decide(failedAttempt: 4, random: 0.5) == .retry(attempt: 5, after: .seconds(8)))
        #expect(policy.decide(failedAttempt: 5, random: 0.5) == .deadLetter)
    }

    @Test func analyticsIsOneAttemptThenDead() {
        #expect(RetryPolicy.standard(for: .analytics).decide(failedAttempt: 1, random: 0) == .deadLetter)
    }

    @Test func standardRetriesTwice() {
        let policy = RetryPolicy.standard(for: .standard)
        #expect(policy.decide(failedAttempt: 2, random: 0.5) == .retry(attempt: 3, after: .seconds(2)))
        #expect(policy.decide(failedAttempt: 3, random: 0.5) == .deadLetter)
    }

    @Test func jitterSpreadsWithinBounds() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), jitter: 0.2)
        #expect(policy.delay(afterAttempt: 2, random: 0) == .milliseconds(1600))
        #expect(policy.delay(afterAttempt: 2, random: 1) == .milliseconds(2400))
        for _ in 0..<100 {
            let delay = policy.delay(afterAttempt: 3, random: Double.random(in: 0..<1))
            #expect(delay >= .milliseconds(3200) && delay <= .milliseconds(4800))
        }
    }

    @Test func delayIsCapped() {
        let policy = RetryPolicy(maxAttempts: 50, baseDelay: .seconds(1), maxDelay: .seconds(30), jitter: 0)
        #expect(policy.nominalDelay(afterAttempt: 40) == .seconds(30))
        #expect(policy.delay(afterAttempt: 40, random: 0.9) == .seconds(30))
    }

    @Test func loopBackoffGrowsAndResets() {
        var backoff = LoopBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        let first = backoff.next()
        #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
        for _ in 0..<10 { _ = backoff.next() }
        let late = backoff.next()
        #expect(late >= .milliseconds(500) && late <= .seconds(1))
        backoff.reset()
        #expect(backoff.failures == 0)
    }
}

@Suite struct QueuePriorityGateTests {
    @Test func lowerQueuesReadLessWhileCriticalIsBusy() {
        let gate = PriorityGate(hold: .seconds(30))
        #expect(gate.readCount(for: .standard, free: 16) == 16)
        gate.markCriticalBusy()
        #expect(gate.isCriticalBusy)
        #expect(gate.readCount(for: .critical, free: 16) == 16)
        #expect(gate.readCount(for: .standard, free: 16) == 4)
        #expect(gate.readCount(for: .analytics, free: 2) == 1)
    }

    @Test func busyExpires() async throws {
        let gate = PriorityGate(hold: .milliseconds(30))
        gate.markCriticalBusy()
        try await Task.sleep(for: .milliseconds(80))
        #expect(!gate.isCriticalBusy)
        #expect(gate.readCount(for: .analytics, free: 8) == 8)
    }
}

@Suite struct QueueDispatcherPollTests {
    @Test func pollBacksOffFromBusyToIdle() {
        let options = OutboxDispatcher.Options()
        #expect(
            (0...5).map { OutboxDispatcher.pause(idleRounds: $0, options: options) }
                == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(50), .milliseconds(50)]
        )
        #expect(OutboxDispatcher.pause(idleRounds: 1000, options: options) == .milliseconds(50))
    }
}
