import RedisClient
import Testing

@Suite struct RedisConnectionFailureTests {
    @Test func nothingListeningFailsFastWithConnectionFailed() async throws {
        let port = TestRedis.unusedPort()
        try await withClient(TestRedis.configuration(port: port)) { redis async throws in
            try await withDeadline(2) {
                for _ in 0..<5 {
                    await #expect {
                        try await redis.ping()
                    } throws: { error in
                        guard case .connectionFailed(let reason)? = error as? RedisError else { return false }
                        return reason.contains("127.0.0.1:\(port)")
                    }
                }
            }
            // Concurrent callers during the backoff fail fast too.
            try await withDeadline(2) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            await #expect(throws: RedisError.self) { try await redis.incr("x") }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func unreachableHostFailsWithoutHanging() async throws {
        // 10.255.255.1 is normally unroutable: connect() either times out or fails at once.
        try await withClient(TestRedis.configuration(host: "10.255.255.1", connectTimeout: .milliseconds(300))) { redis async throws in
            try await withDeadline(3) {
                await #expect(throws: RedisError.self) { try await redis.ping() }
            }
        }
    }

    @Test func replyTimeoutFailsAndTheConnectionRecovers() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(TestRedis.configuration(poolSize: 1, commandTimeout: .milliseconds(300)), prefix: prefix) { redis async throws in
            // BLPOP blocks server-side for 5 s; sent as a non-blocking command it must time out.
            try await withDeadline(3) {
                await #expect(throws: RedisError.timeout) {
                    try await redis.send(["BLPOP", prefix + "never", "5"])
                }
            }
            #expect(try await redis.ping() == "PONG")
        }
    }

    @Test func blockingCommandsGetALongerReadTimeout() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(TestRedis.configuration(commandTimeout: .milliseconds(300)), prefix: prefix) { redis async throws in
            let connection = redis.dedicatedConnection()
            let reply = try await withDeadline(5) {
                try await connection.execute(RedisCommand(["BLPOP", prefix + "never", "1"], blocking: .upTo(.seconds(1))))
            }
            #expect(reply.isNull)
            await connection.close()
        }
    }

    @Test func reconnectsAfterTheServerKillsTheConnection() async throws {
        let prefix = TestRedis.prefix()
        let name = "redisclient-test-\(prefix.split(separator: ":")[2])"
        try await withClient(prefix: prefix) { admin async throws in
            let victim = RedisClient(configuration: TestRedis.configuration(poolSize: 1, clientName: name))
            try await victim.set(prefix + "k", "before")
            let killed = try await admin.send(["CLIENT", "KILL", "TYPE", "normal", "ID", String(try await clientID(named: name, using: admin))])
            #expect(killed.int == 1)
            // The stale connection is noticed before sending, so not even one command fails.
            #expect(try await victim.get(prefix + "k") == "before")
            await victim.shutdown()
        }
    }

    @Test func killDuringAPipelineFailsOrAnswersEveryCaller() async throws {
        let prefix = TestRedis.prefix()
        let name = "redisclient-test-\(prefix.split(separator: ":")[2])"
        try await withClient(prefix: prefix) { admin async throws in
            let victim = RedisClient(configuration: TestRedis.configuration(poolSize: 1, clientName: name))
            try await victim.ping()
            let id = try await clientID(named: name, using: admin)
            let key = prefix + "counter"
            let outcomes = try await withDeadline(10) {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<3000 {
                        group.addTask {
                            do {
                                try await victim.incr(key)
                                return true
                            } catch let error as RedisError {
                                #expect(error.code == "connection_failed", "\(error)")
                                return false
                            }
                        }
                        if index == 1000 {
                            group.addTask {
                                try await admin.send(["CLIENT", "KILL", "ID", String(id)])
                                return false
                            }
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
            }
            let succeeded = outcomes.filter { $0 }.count
            let counted = Int(try await admin.get(key) ?? "0") ?? -1
            // A failed INCR may still have run (its reply was lost), never the other way round.
            #expect((succeeded...3000).contains(counted))
            // And the connection works again afterwards.
            #expect(try await victim.incr(key) == counted + 1)
            await victim.shutdown()
        }
    }

    @Test func closedClientRejectsCommands() async throws {
        let redis = RedisClient(configuration: TestRedis.configuration)
        #expect(try await redis.ping() == "PONG")
        await redis.shutdown()
        await #expect(throws: RedisError.closed) { try await redis.ping() }

        let connection = RedisConnection(configuration: TestRedis.configuration)
        #expect(try await connection.ping() == "PONG")
        await connection.close()
        await #expect(throws: RedisError.closed) { try await connection.ping() }
    }
}

/// The `CLIENT LIST` id of the connection named `name`.
func clientID(named name: String, using redis: RedisClient) async throws -> Int {
    let list = try await redis.send(["CLIENT", "LIST"]).string ?? ""
    for line in list.split(separator: "\n") {
        let fields = line.split(separator: " ")
        if fields.contains(where: { $0 == "name=\(name)" }),
            let id = fields.first(where: { $0.hasPrefix("id=") }).flatMap({ Int($0.dropFirst(3)) })
        {
            return id
        }
    }
    throw RedisError.unexpectedReply("no client named \(name) in CLIENT LIST")
}
