import Foundation
import Logging
import RedisClient
import Server
import Synchronization
import Testing

/// Delivery lag and memory per socket under load: ~1,000 sockets across two server instances,
/// ~200 transitions/s. Slow and noisy, so it runs only when asked:
///
///     REALTIME_MEASURE=1 REALTIME_MEASURE_URLS=http://127.0.0.1:8181,http://127.0.0.1:8182 \
///       swift test --scratch-path .build-realtime --skip-build --filter RealtimeLoadMeasurement
///
/// With `REALTIME_MEASURE_URLS` it drives two separately started `exchange-server` processes
/// (so `process_heap_allocated_bytes` is the server's alone); without, two in-process servers
/// (lag only: the heap then includes the clients). Lag is commit → client receive: the
/// publisher stamps `publishedAtNs` right after the commit, and this test reads that stamp
/// from `exchange:events` itself and matches it with each socket's receive time.
@Suite(.serialized) struct RealtimeLoadMeasurement {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var sockets: Int { Int(environment["REALTIME_MEASURE_SOCKETS"] ?? "") ?? 1000 }
    static var rate: Int { Int(environment["REALTIME_MEASURE_RATE"] ?? "") ?? 200 }
    static var seconds: Int { Int(environment["REALTIME_MEASURE_SECONDS"] ?? "") ?? 20 }

    @Test(.enabled(if: environment["REALTIME_MEASURE"] != nil))
    func deliveryLagAndMemoryPerSocket() async throws {
        if let urls = Self.environment["REALTIME_MEASURE_URLS"]?.split(separator: ",").map(String.init), urls.count == 2 {
            var logger = Logger(label: "measure")
            logger.logLevel = .warning
            let services = try ExchangeServices(configuration: TestExchange.configuration(), logger: logger)
            do {
                try await run(TestExchange(baseURL: urls[0], services: services), TestExchange(baseURL: urls[1], services: services), external: true)
            } catch {
                await services.close()
                throw error
            }
            await services.close()
        } else {
            try await TestExchange.with({ $0.rateLimit.perUserPerMinute = 1_000_000 }) { a in
                try await TestExchange.with({ $0.rateLimit.perUserPerMinute = 1_000_000 }) { b in
                    try await a.waitForFanout()
                    try await b.waitForFanout()
                    try await run(a, b, external: false)
                }
            }
        }
    }

    func run(_ a: TestExchange, _ b: TestExchange, external: Bool) async throws {
        let instances = [a, b]
        let op = try await a.signIn(operator: true)
        let users = try await (0..<10).asyncMap { _ in try await a.signIn() }
        let requestCount = max(1, Self.sockets / 4)
        let ids = try await (0..<requestCount).asyncMap { i in try await instances[i % 2].createRequest(users[i % users.count]) }

        let probe = LoadProbe()
        let subscriber = RedisSubscriber(configuration: a.services.redis.configuration, name: "measure-sub")
        defer { subscriber.shutdown() }
        #expect(try await subscriber.subscribe([EventPublisher.channel]))

        let heapBefore = try await instances.asyncMap { try await $0.metric("process_heap_allocated_bytes") }
        print("measure: \(Self.sockets) sockets, \(requestCount) requests, \(Self.rate) transitions/s for \(Self.seconds) s")

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in subscriber.messages {
                    if let event = RealtimeEventProbe(message.payload) { probe.stamps.withLock { $0["\(event.id):\(event.seq)"] = event.ns } }
                }
            }
            for socket in 0..<Self.sockets {
                let exchange = instances[socket % 2]
                let room = "request:\(ids[(socket / 2) % requestCount])"
                group.addTask {
                    let onFrame: @Sendable (ReceivedFrame) -> Void = { frame in
                        guard frame.type == "event", let id = frame.requestId, let seq = frame.seq else { return }
                        probe.receipts.withLock { $0.append(("\(id):\(seq)", frame.receivedAtNs)) }
                    }
                    try await exchange.withSocket(op, onFrame: onFrame) { client async throws in
                        _ = try await client.subscribed(room, timeout: .seconds(60))
                        probe.connected.add(1, ordering: .relaxed)
                        while !probe.done.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(500)) }
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while probe.connected.load(ordering: .relaxed) < Self.sockets {
                guard ContinuousClock.now < deadline else { throw TestFailure("only \(probe.connected.load(ordering: .relaxed)) sockets connected") }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .seconds(1))
            let heapAfter = try await instances.asyncMap { try await $0.metric("process_heap_allocated_bytes") }
            for (index, (before, after)) in zip(heapBefore, heapAfter).enumerated() {
                let perSocket = (after - before) / Double(Self.sockets / 2)
                let note = external ? "" : " (in-process: one heap for both instances and the clients)"
                print("measure: instance \(index) heap \(Int(before)) → \(Int(after)) bytes, \(Int(perSocket)) bytes per socket\(note)")
            }

            // Open-loop transitions: claim/release cycles, alternating instances.
            let interval = Duration.seconds(1) / Self.rate
            let total = Self.rate * Self.seconds
            let start = ContinuousClock.now
            await withTaskGroup(of: Void.self) { load in
                for n in 0..<total {
                    try? await Task.sleep(until: start + interval * n, clock: .continuous)
                    let id = ids[n % requestCount]
                    let action = (n / requestCount) % 2 == 0 ? "claim" : "release"
                    let exchange = instances[n % 2]
                    load.addTask {
                        let reply = try? await exchange.call(.POST, "/api/requests/\(id)/\(action)", token: op.token)
                        if reply?.status != 200 { probe.failures.add(1, ordering: .relaxed) }
                    }
                }
            }
            let elapsed = ContinuousClock.now - start
            try await Task.sleep(for: .seconds(2))
            probe.done.store(true, ordering: .relaxed)
            let receipts = probe.receipts.withLock { $0 }
            let stamps = probe.stamps.withLock { $0 }
            let sorted = receipts.compactMap { receipt in stamps[receipt.key].map { receipt.at - $0 } }.sorted()
            func percentile(_ p: Double) -> Double {
                sorted.isEmpty ? .nan : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
            }
            let failed = probe.failures.load(ordering: .relaxed)
            print("measure: \(total) transitions in \(elapsed) (\(failed) failed), \(receipts.count) events received, \(sorted.count) matched")
            print(
                String(
                    format: "measure: commit → client receive p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                    percentile(0.5),
                    percentile(0.9),
                    percentile(0.99),
                    percentile(1)
                )
            )
            for (index, exchange) in instances.enumerated() {
                let count = try await exchange.metric("ws_delivery_lag_seconds_count")
                let sum = try await exchange.metric("ws_delivery_lag_seconds_sum")
                let mean = count > 0 ? sum / count * 1000 : 0
                print(String(format: "measure: instance %d server-side ws_delivery_lag_seconds mean %.3f ms over %.0f frames", index, mean, count))
            }
            subscriber.shutdown()
            group.cancelAll()
        }
    }
}

/// What the measurement's tasks share.
final class LoadProbe: Sendable {
    /// Commit stamps (`publishedAtNs`) by `requestId:seq`, straight from `exchange:events`.
    let stamps = Mutex<[String: Int]>([:])
    /// Every event frame a socket got: `requestId:seq` and the receive time (ns).
    let receipts = Mutex<[(key: String, at: Int)]>([])
    let connected = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
}

/// Just what the measurement needs from a published message.
struct RealtimeEventProbe {
    let id: String
    let seq: Int
    let ns: Int

    init?(_ payload: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any],
            let id = object["requestId"] as? String, let seq = object["seq"] as? Int, let ns = object["publishedAtNs"] as? Int
        else { return nil }
        self.id = id
        self.seq = seq
        self.ns = ns
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
