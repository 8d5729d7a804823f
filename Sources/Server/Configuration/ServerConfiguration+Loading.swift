import Foundation
import WireJSON

/// A start-up configuration problem, printed as one line naming the field.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let reason: String

    public var description: String { "configuration error: \(field): \(reason)" }
}

extension ServerConfiguration {
    /// Defaults, then the JSON file (if any), then `EXCHANGE_*` variables of `environment`
    /// (`db.primary.poolSize` ← `EXCHANGE_DB_PRIMARY_POOL_SIZE`). Unknown file fields and
    /// out-of-range values are errors.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        let fields = Dictionary(uniqueKeysWithValues: ConfigurationField.all.map { ($0.path, $0) })
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError(field: "--config", reason: "cannot read file \(file)")
            }
            guard let json = JSON.parse(data) else {
                throw ConfigurationError(field: "--config", reason: "\(file) is not valid JSON")
            }
            guard case .object = json else {
                throw ConfigurationError(field: "--config", reason: "\(file) must hold a JSON object")
            }
            for (path, value) in flatten(json, prefix: "") {
                guard let field = fields[path] else {
                    throw ConfigurationError(field: path, reason: "unknown field")
                }
                try field.apply(&configuration, value)
            }
        }
        for field in ConfigurationField.all {
            if let value = environment[field.environmentName] {
                try field.apply(&configuration, .string(value))
            }
        }
        try configuration.validateRelations()
        return configuration
    }

    /// The leaves of a JSON object by dotted path (`db.primary.poolSize`).
    private static func flatten(_ value: JSON, prefix: String) -> [(String, JSON)] {
        guard case .object(let fields) = value else { return [(prefix, value)] }
        return fields.flatMap { key, nested in
            flatten(nested, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
        }
    }
}

/// One settable field: its contract path and how to parse and validate it. Values come from
/// the file as JSON, and from the environment as JSON strings.
struct ConfigurationField: Sendable {
    let path: String
    let apply: @Sendable (inout ServerConfiguration, JSON) throws -> Void

    /// `db.primary.poolSize` → `EXCHANGE_DB_PRIMARY_POOL_SIZE`.
    var environmentName: String {
        var name = "EXCHANGE_"
        for character in path {
            if character == "." {
                name.append("_")
            } else if character.isUppercase {
                name.append("_")
                name.append(character)
            } else {
                name.append(contentsOf: character.uppercased())
            }
        }
        return name
    }

    static func int(_ path: String, _ keyPath: WritableKeyPath<ServerConfiguration, Int> & Sendable, _ range: ClosedRange<Int>) -> Self {
        Self(path: path) { configuration, value in
            let parsed: Int?
            switch value {
            case .string(let text): parsed = Int(text.trimmingCharacters(in: .whitespaces))
            default: parsed = value.intValue
            }
            guard let parsed, range.contains(parsed) else {
                throw ConfigurationError(field: path, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            configuration[keyPath: keyPath] = parsed
        }
    }

    static func string(
        _ path: String,
        _ keyPath: WritableKeyPath<ServerConfiguration, String> & Sendable,
        validate: @escaping @Sendable (String) -> Bool = { !$0.isEmpty },
        reason: String = "must be a non-empty string of the right form"
    ) -> Self {
        Self(path: path) { configuration, value in
            guard case .string(let text) = value, validate(text) else {
                throw ConfigurationError(field: path, reason: reason)
            }
            configuration[keyPath: keyPath] = text
        }
    }

    static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ path: String,
        _ keyPath: WritableKeyPath<ServerConfiguration, E> & Sendable
    ) -> Self where E.RawValue == String {
        Self(path: path) { configuration, value in
            guard case .string(let text) = value, let parsed = E(rawValue: text) else {
                let allowed = E.allCases.map(\.rawValue).joined(separator: "|")
                throw ConfigurationError(field: path, reason: "must be one of \(allowed)")
            }
            configuration[keyPath: keyPath] = parsed
        }
    }

    static func bool(_ path: String, _ keyPath: WritableKeyPath<ServerConfiguration, Bool> & Sendable) -> Self {
        Self(path: path) { configuration, value in
            switch value {
            case .bool(let flag): configuration[keyPath: keyPath] = flag
            case .string("true"), .string("1"): configuration[keyPath: keyPath] = true
            case .string("false"), .string("0"): configuration[keyPath: keyPath] = false
            default: throw ConfigurationError(field: path, reason: "must be true or false")
            }
        }
    }

    static let all: [ConfigurationField] = [
        .string("http.host", \.http.host),
        .int("http.port", \.http.port, 0...65535),
        .int("http.maxBodyBytes", \.http.maxBodyBytes, 1024...(16 << 20)),
        .string("db.primary.url", \.db.primary.url, validate: isPostgresURL),
        .int("db.primary.poolSize", \.db.primary.poolSize, 1...1000),
        .string("db.replica.url", \.db.replica.url, validate: isPostgresURL),
        .int("db.replica.poolSize", \.db.replica.poolSize, 1...1000),
        .string("db.migrationUrl", \.db.migrationUrl, validate: isPostgresURL),
        .string("db.appRole", \.db.appRole, validate: { $0.isEmpty || ServerConfiguration.isRoleName($0) }),
        .bool("db.preparedStatements", \.db.preparedStatements),
        .int("db.pool.acquireTimeoutMs", \.db.pool.acquireTimeoutMs, 1...600_000),
        .int("db.pool.statementTimeoutMs", \.db.pool.statementTimeoutMs, 1...3_600_000),
        .int("db.pool.connectTimeoutMs", \.db.pool.connectTimeoutMs, 1000...600_000),
        .choice("db.routing.analytics", \.db.routing.analytics),
        .int("db.routing.maxReplicaLagMs", \.db.routing.maxReplicaLagMs, 0...3_600_000),
        .int("db.routing.lagCheckIntervalMs", \.db.routing.lagCheckIntervalMs, 50...600_000),
        .string("redis.url", \.redis.url, validate: { $0.hasPrefix("redis://") }),
        .int("redis.poolSize", \.redis.poolSize, 1...64),
        .string("redis.keyPrefix", \.redis.keyPrefix, validate: RedisNamespace.isValid),
        .choice("sideEffects.mode", \.sideEffects.mode),
        .int("workers.count", \.workers.count, 0...64),
        .int("workers.concurrency", \.workers.concurrency, 1...1024),
        .int("workers.visibilityTimeoutMs", \.workers.visibilityTimeoutMs, 100...3_600_000),
        .int("workers.maxStreamLength", \.workers.maxStreamLength, 100...100_000_000),
        .int("rateLimit.perUserPerMinute", \.rateLimit.perUserPerMinute, 1...1_000_000),
        .int("rateLimit.otpPerPhonePerMinute", \.rateLimit.otpPerPhonePerMinute, 1...1_000_000),
        .choice("rateLimit.algorithm", \.rateLimit.algorithm),
        .bool("rateLimit.failOpen", \.rateLimit.failOpen),
        .int("rateLimit.otpPerAddressPerMinute", \.rateLimit.otpPerAddressPerMinute, 1...1_000_000),
        .int("rateLimit.verifyPerAddressPerMinute", \.rateLimit.verifyPerAddressPerMinute, 1...1_000_000),
        .int("rateLimit.smsPerMinute", \.rateLimit.smsPerMinute, 1...100_000_000),
        .int("rateLimit.tokenLookupsPerAddressPerMinute", \.rateLimit.tokenLookupsPerAddressPerMinute, 1...1_000_000),
        .string("provider.url", \.provider.url, validate: { $0.hasPrefix("http://") || $0.hasPrefix("https://") }),
        .int("provider.timeoutMs", \.provider.timeoutMs, 1...600_000),
        .int("auth.otpTtlSeconds", \.auth.otpTtlSeconds, 1...86_400),
        .int("auth.otpMaxAttempts", \.auth.otpMaxAttempts, 1...100),
        .int("auth.sessionTtlHours", \.auth.sessionTtlHours, 1...8760),
        .int("auth.sessionCacheSeconds", \.auth.sessionCacheSeconds, 1...86_400),
        .int("auth.maxWrongCodesPerHour", \.auth.maxWrongCodesPerHour, 1...1_000_000),
        .int("auth.negativeCacheSeconds", \.auth.negativeCacheSeconds, 1...3600),
        .string("auth.secret", \.auth.secret, validate: { $0.count >= 32 }, reason: "must be a string of at least 32 characters"),
        .int("realtime.maxSubscriptionsPerConnection", \.realtime.maxSubscriptionsPerConnection, 1...10_000),
        .int("realtime.maxFrameBytes", \.realtime.maxFrameBytes, 64...(1 << 20)),
        .int("realtime.sendBufferLimit", \.realtime.sendBufferLimit, 1...1_000_000),
        .int("realtime.pingIntervalMs", \.realtime.pingIntervalMs, 100...3_600_000),
        .int("realtime.sessionCheckIntervalMs", \.realtime.sessionCheckIntervalMs, 100...86_400_000),
        .int("realtime.pubsubBufferLimit", \.realtime.pubsubBufferLimit, 1...10_000_000),
        .int("retention.intervalMs", \.retention.intervalMs, 0...86_400_000),
        .int("retention.outboxAgeHours", \.retention.outboxAgeHours, 1...87_600),
        .int("retention.completedJobsAgeHours", \.retention.completedJobsAgeHours, 1...87_600),
        .int("retention.batchSize", \.retention.batchSize, 1...100_000),
        .string("logLevel", \.logLevel, validate: { ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains($0) }),
    ]

    private static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }
}
