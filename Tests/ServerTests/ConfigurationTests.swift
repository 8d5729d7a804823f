import Foundation
import Testing

@testable import Server

@Suite struct ConfigurationTests {
    func write(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsMatchDevServices() throws {
        let configuration = try ServerConfiguration.load(file: nil, environment: [:])
        #expect(configuration.http.port == 8080)
        #expect(configuration.db.primary.url.contains(":55432/exchange"))
        #expect(configuration.db.replica.url.contains(":55433/exchange"))
        #expect(configuration.redis.url == "redis://127.0.0.1:56379")
        #expect(configuration.rateLimit.perUserPerMinute == 10)
    }

    @Test func fileThenEnvironment() throws {
        let file = try write(
            #"{"db":{"primary":{"poolSize":20},"routing":{"analytics":"replica"}},"sideEffects":{"mode":"sync"},"rateLimit":{"failOpen":false}}"#
        )
        let configuration = try ServerConfiguration.load(
            file: file,
            environment: ["EXCHANGE_DB_PRIMARY_POOL_SIZE": "32", "EXCHANGE_HTTP_PORT": "9000"]
        )
        #expect(configuration.db.primary.poolSize == 32)
        #expect(configuration.db.routing.analytics == .replica)
        #expect(configuration.sideEffects.mode == .sync)
        #expect(configuration.rateLimit.failOpen == false)
        #expect(configuration.http.port == 9000)
    }

    @Test(arguments: [
        (#"{"db":{"primary":{"poolSize":0}}}"#, "db.primary.poolSize"),
        (#"{"db":{"primary":{"poolSize":"many"}}}"#, "db.primary.poolSize"),
        (#"{"sideEffects":{"mode":"later"}}"#, "sideEffects.mode"),
        (#"{"db":{"routing":{"analytics":"both"}}}"#, "db.routing.analytics"),
        (#"{"http":{"prot":8080}}"#, "http.prot"),
        (#"{"redis":{"url":"http://x"}}"#, "redis.url"),
        (#"{"rateLimit":{"failOpen":"maybe"}}"#, "rateLimit.failOpen"),
        (#"{"db":{"pool":{"connectTimeoutMs":500}}}"#, "db.pool.connectTimeoutMs"),
        ("not json", "--config"),
    ])
    func badValuesNameTheField(_ json: String, _ field: String) throws {
        let file = try write(json)
        #expect {
            _ = try ServerConfiguration.load(file: file, environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.field == field && error.description.hasPrefix("configuration error: \(field):")
        }
    }

    @Test func connectTimeoutReachesBothPools() throws {
        let configuration = try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_DB_POOL_CONNECT_TIMEOUT_MS": "7000"])
        let database = Database(configuration: configuration, metrics: ServerMetrics())
        defer {
            database.primary.close()
            database.replica.close()
        }
        #expect(database.primary.configuration.connectTimeout == .seconds(7))
        #expect(database.replica.configuration.connectTimeout == .seconds(7))
    }

    @Test func badEnvironmentValueNamesTheField() {
        #expect {
            _ = try ServerConfiguration.load(file: nil, environment: ["EXCHANGE_WORKERS_COUNT": "-1"])
        } throws: { ($0 as? ConfigurationError)?.field == "workers.count" }
    }

    @Test func environmentNamesFollowTheContract() {
        let names = Set(ConfigurationField.all.map(\.environmentName))
        #expect(names.contains("EXCHANGE_DB_PRIMARY_POOL_SIZE"))
        #expect(names.contains("EXCHANGE_DB_ROUTING_MAX_REPLICA_LAG_MS"))
        #expect(names.contains("EXCHANGE_SIDE_EFFECTS_MODE"))
    }
}
