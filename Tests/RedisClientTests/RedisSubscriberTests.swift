import RedisClient
import Synchronization
import TestSupport
import Testing

@Suite struct RedisSubscriberTests {
    @Test func deliversHundredMessagesInOrder() async throws {
        let prefix = TestRedis.prefix()
        let subscriber = RedisSubscriber(configuration: TestRedis.configuration)
        defer { subscriber.shutdown() }
        try await withClient { redis async throws in
            let channel = prefix + "events"
            #expect(try await subscriber.subscribe([channel]))
            #expect(subscriber.state == .connected)
            for index in 0..<100 {
                #expect(try await redis.publish(channel, "message-\(index)") == 1)
            }
            let received = try await withDeadline(10) { await collect(100, from: subscriber.messages) }
            #expect(received.map(\.string) == (0..<100).map { "message-\($0)" })
            #expect(received.allSatisfy { $0.channel == channel && $0.pattern == nil })
        }
    }

    @Test func patternsAndUnsubscribe() async throws {
        let prefix = TestRedis.prefix()
        let subscriber = RedisSubscriber(configuration: TestRedis.configuration)
        defer { subscriber.shutdown() }
        try await withClient { redis async throws in
            #expect(try await subscriber.psubscribe([prefix + "request:*"]))
            #expect(try await subscriber.subscribe([prefix + "a", prefix + "b"]))
            #expect(subscriber.channels == [prefix + "a", prefix + "b"])

            #expect(try await redis.publish(prefix + "request:42", bytes: [0, 1, 2]) == 1)
            #expect(try await redis.publish(prefix + "a", "to a") == 1)
            #expect(try await subscriber.unsubscribe([prefix + "a"]))
            #expect(try await redis.publish(prefix + "a", "lost") == 0)
            #expect(try await redis.publish(prefix + "b", "to b") == 1)

            let received = try await withDeadline(10) { await collect(3, from: subscriber.messages) }
            #expect(received[0] == RedisPubSubMessage(channel: prefix + "request:42", pattern: prefix + "request:*", payload: [0, 1, 2]))
            #expect(received[1].string == "to a")
            #expect(received[2].string == "to b")
            #expect(try await subscriber.punsubscribe([prefix + "request:*"]))
            #expect(subscriber.patterns.isEmpty)
        }
    }

    @Test func reconnectsAndResubscribesAfterClientKill() async throws {
        let prefix = TestRedis.prefix()
        let name = "redisclient-sub-\(prefix.split(separator: ":")[2])"
        var configuration = TestRedis.configuration
        configuration.clientName = name
        let states = Mutex<[RedisSubscriberState]>([])
        let subscriber = RedisSubscriber(configuration: configuration) { state in
            states.withLock { $0.append(state) }
        }
        defer { subscriber.shutdown() }
        try await withClient { redis async throws in
            let channel = prefix + "events"
            let pattern = prefix + "p:*"
            #expect(try await subscriber.subscribe([channel]))
            #expect(try await subscriber.psubscribe([pattern]))
            #expect(try await redis.publish(channel, "before") == 1)
            #expect(try await withDeadline(10) { await collect(1, from: subscriber.messages) }.map(\.string) == ["before"])

            // Kill only our subscriber's connection (other suites may share this Redis).
            let id = try await clientID(named: name, using: redis)
            #expect(try await redis.send(["CLIENT", "KILL", "TYPE", "pubsub", "ID", String(id)]).int == 1)

            let events = try await withDeadline(10) {
                var seen: [RedisSubscriberEvent] = []
                for await event in subscriber.events {
                    seen.append(event)
                    if case .reconnected = event { break }
                }
                return seen
            }
            #expect(events.count == 2)
            if case .connectionLost = events.first {} else { Issue.record("expected connectionLost first, got \(events)") }
            #expect(events.last == .reconnected(count: 1))
            #expect(subscriber.reconnects == 1)
            #expect(subscriber.state == .connected)
            #expect(states.withLock { $0 } == [.connected, .disconnected, .connected])

            // Both subscriptions are back: messages published after the kill arrive.
            #expect(try await redis.publish(channel, "after") == 1)
            #expect(try await redis.publish(prefix + "p:1", "after-pattern") == 1)
            let after = try await withDeadline(10) { await collect(2, from: subscriber.messages) }
            #expect(after.map(\.string) == ["after", "after-pattern"])
        }
    }

    @Test func downRedisIsRetriedWithoutHanging() async throws {
        var configuration = TestRedis.configuration
        configuration.port = TestRedis.unusedPort()
        let subscriber = RedisSubscriber(configuration: configuration)
        try await eventually("the subscriber disconnected", timeout: .seconds(15)) { subscriber.state == .disconnected }
        let subscribed = try await withDeadline(2) { try await subscriber.subscribe(["nowhere"]) }
        #expect(!subscribed)
        #expect(subscriber.channels == ["nowhere"])
        subscriber.shutdown()
        try await eventually("the subscriber closed", timeout: .seconds(15)) { subscriber.state == .closed }
        await #expect(throws: RedisError.closed) { try await subscriber.subscribe(["x"]) }
        // The streams end after shutdown.
        let leftovers = try await withDeadline(5) { await collect(1, from: subscriber.messages) }
        #expect(leftovers.isEmpty)
    }
}
