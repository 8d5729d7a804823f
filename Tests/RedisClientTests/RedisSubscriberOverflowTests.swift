import RedisClient
import Testing

/// Issue 12: the pub/sub receive buffer is bounded; overflow drops, counts and reports.
@Suite struct RedisSubscriberOverflowTests {
    @Test func aFullBufferDropsCountsAndReports() async throws {
        let prefix = TestRedis.prefix()
        let subscriber = RedisSubscriber(configuration: TestRedis.configuration, messageBufferLimit: 10)
        defer { subscriber.shutdown() }
        try await withClient { redis async throws in
            let channel = prefix + "events"
            #expect(try await subscriber.subscribe([channel]))
            // Nobody reads while 50 messages arrive: 10 are kept, 40 dropped.
            for index in 0..<50 {
                #expect(try await redis.publish(channel, "m-\(index)") == 1)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while subscriber.droppedMessages < 40, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(subscriber.droppedMessages == 40)
            let kept = try await withDeadline(10) { await collect(10, from: subscriber.messages) }
            #expect(kept.map(\.string) == (0..<10).map { "m-\($0)" }, "the oldest are kept, in order")
            // Reading again ends the overflow; the next message is delivered and the end reported.
            #expect(try await redis.publish(channel, "after") == 1)
            let next = try await withDeadline(10) { await collect(1, from: subscriber.messages) }
            #expect(next.first?.string == "after")
            var events: [RedisSubscriberEvent] = []
            for await event in subscriber.events {
                events.append(event)
                if events.count == 2 { break }
            }
            #expect(events.first == .messagesDropped(total: 1))
            #expect(events.last == .messagesDropped(total: 40))
        }
    }
}
