import RedisClient
import Testing

@Suite struct RedisConfigurationTests {
    @Test func defaults() {
        let configuration = RedisConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 56379)
        #expect(configuration.database == 0)
        #expect(configuration.poolSize == 4)
        #expect(configuration.connectTimeout == .seconds(1))
        #expect(configuration.commandTimeout == .seconds(2))
    }

    @Test func parsesHostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal:6380/3")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 3)
        #expect(configuration.password == nil)
        #expect(configuration.poolSize == 4)
    }

    @Test func portAndDatabaseAreOptional() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(try RedisConfiguration(url: "redis://localhost:1234/").database == 0)
    }

    @Test func parsesCredentialsAndIPv6() throws {
        let configuration = try RedisConfiguration(url: "redis://app:s%40cret@[::1]:56379/1")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 56379)
        #expect(configuration.username == "app")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 1)
        let passwordOnly = try RedisConfiguration(url: "redis://:hunter2@127.0.0.1:56379")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "hunter2")
    }

    @Test func descriptionHidesPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@127.0.0.1:56379/2")
        #expect(configuration.description == "redis://:***@127.0.0.1:56379/2")
        #expect(!"\(configuration)".contains("hunter2"))
    }

    @Test(arguments: [
        ("http://localhost:6379", "scheme"),
        ("localhost:6379", "scheme"),
        ("redis://:6379", "host is missing"),
        ("redis://localhost:abc", "port \"abc\""),
        ("redis://localhost:70000", "port \"70000\""),
        ("redis://localhost:6379/x", "database \"x\""),
        ("redis://localhost:6379/-1", "database \"-1\""),
        ("redis://localhost:6379?timeout=1", "query"),
    ])
    func rejectsBadURLs(url: String, named: String) {
        #expect {
            _ = try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisURLError else { return false }
            return error.description.contains(named)
        }
    }

    @Test func urlErrorNeverShowsPassword() {
        #expect {
            _ = try RedisConfiguration(url: "redis://:hunter2@localhost:nope")
        } throws: { error in
            !"\(error)".contains("hunter2") && "\(error)".contains("port")
        }
    }
}
