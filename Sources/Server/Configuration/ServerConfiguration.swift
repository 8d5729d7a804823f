/// Everything the server can be told, with defaults that match `scripts/dev-services`.
/// Loaded from a JSON file and `EXCHANGE_*` environment variables by `ConfigurationLoader`;
/// field paths (`db.primary.poolSize`) are the contract of DESIGN.md §7.
public struct ServerConfiguration: Sendable, Equatable {
    public struct HTTP: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Request bodies above this size are answered 413.
        public var maxBodyBytes = 64 * 1024
    }

    public struct Pool: Sendable, Equatable {
        public var url: String
        public var poolSize: Int
    }

    public struct PoolTiming: Sendable, Equatable {
        public var acquireTimeoutMs = 2000
        public var statementTimeoutMs = 5000
    }

    public enum AnalyticsRoute: String, Sendable, Equatable, CaseIterable {
        case primary, replica
    }

    public struct Routing: Sendable, Equatable {
        public var analytics = AnalyticsRoute.primary
        /// Above this lag, analytics queries fall back to the primary.
        public var maxReplicaLagMs = 5000
        /// How often the replica's lag is measured.
        public var lagCheckIntervalMs = 1000
    }

    public struct Database: Sendable, Equatable {
        public var primary = Pool(url: "postgresql://postgres@127.0.0.1:55432/exchange", poolSize: 10)
        public var replica = Pool(url: "postgresql://postgres@127.0.0.1:55433/exchange", poolSize: 4)
        public var pool = PoolTiming()
        public var routing = Routing()
    }

    public struct Redis: Sendable, Equatable {
        public var url = "redis://127.0.0.1:56379"
        public var poolSize = 2
        /// Prefix of every key, stream, consumer group and channel (``RedisNamespace``).
        public var keyPrefix = RedisNamespace.defaultPrefix
    }

    public enum SideEffectMode: String, Sendable, Equatable, CaseIterable {
        case sync, queued
    }

    public struct SideEffects: Sendable, Equatable {
        public var mode = SideEffectMode.queued
    }

    public struct Workers: Sendable, Equatable {
        /// In-process workers; 0 leaves jobs to `exchange-server worker` processes.
        public var count = 1
        /// Jobs a worker runs at once, per queue.
        public var concurrency = 16
        /// A job unacknowledged for this long is reclaimed by another worker.
        public var visibilityTimeoutMs = 30_000
        /// Approximate length bound of the non-critical streams.
        public var maxStreamLength = 100_000
    }

    public enum RateLimitAlgorithm: String, Sendable, Equatable, CaseIterable {
        case fixed, sliding, gcra
    }

    public struct RateLimit: Sendable, Equatable {
        public var perUserPerMinute = 10
        public var otpPerPhonePerMinute = 3
        public var algorithm = RateLimitAlgorithm.fixed
        /// With Redis down: allow (`true`) or refuse with 503 (`false`).
        public var failOpen = true
    }

    public struct Provider: Sendable, Equatable {
        public var url = "http://127.0.0.1:8090"
        public var timeoutMs = 10_000
    }

    public struct Auth: Sendable, Equatable {
        public var otpTtlSeconds = 300
        public var otpMaxAttempts = 5
        public var sessionTtlHours = 24
        public var sessionCacheSeconds = 300
    }

    public struct Realtime: Sendable, Equatable {
        public var maxSubscriptionsPerConnection = 100
        public var maxFrameBytes = 16 * 1024
        /// Events buffered for a connection that doesn't read before it is closed.
        public var sendBufferLimit = 1024
        public var pingIntervalMs = 30_000
    }

    public var http = HTTP()
    public var db = Database()
    public var redis = Redis()
    public var sideEffects = SideEffects()
    public var workers = Workers()
    public var rateLimit = RateLimit()
    public var provider = Provider()
    public var auth = Auth()
    public var realtime = Realtime()
    public var logLevel = "info"

    public init() {}
}
