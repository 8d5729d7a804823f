import RedisClient
import Testing

@Suite struct RedisConnectionFailureTests {
    @Test func nothingListeningFailsFastWithConnectionFailed() async throws {
        let port = TestRedis.unusedPort()
        try await withClient(adjust: { $0.port = port }) { redis async throws in
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

    @Test func unroutableHostFailsWithinTheConnectTimeout() async throws {
        // 10.255.255.1 is normally unroutable: connect() neither succeeds nor is refused.
        try await withClient(adjust: {
            $0.host = "10.255.255.1"
            $0.connectTimeout = .milliseconds(300)
        }) { redis async throws in
            try await withDeadline(3) {
                await #expect(throws: RedisError.self) { try await redis.ping() }
            }
        }
    }

    @Test func replyTimeoutFailsAndTheConnectionRecovers() async throws {
        let prefix = TestRedis.prefix()
        try await withClient(prefix: prefix, adjust: {
            $0.poolSize = 1
            $0.commandTimeout = .milliseconds(300)
        }) { redis async throws in
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
        try await withClient(prefix: prefix, adjust: { $0.commandTimeout = .milliseconds(300) }) { redis async throws in
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
            let victim = TestRedis.client(adjust: {
                $0.poolSize = 1
                $0.clientName = name
            })
            try await victim.set(prefix + "k", "before")
            let killed = try await admin.send(["CLIENT", "KILL", "TYPE", "normal", "ID", String(try await clientID(named: name, using: admin))])
            #expect(killed.int == 1)
            // The stale connection is noticed before sending, so not even one command fails.
            #expect(try await victim.get(prefix + "k") == "before")
            await victim.shutdown()
        }
    }

    @Test func closedClientRejectsCommands() async throws {
        let redis = TestRedis.client()
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
