/// Everything the server can be told, with defaults that match `scripts/dev-services`.
/// Loaded from a JSON file and `EXCHANGE_*` environment variables by `ConfigurationLoader`;
/// field paths (`db.primary.poolSize`) are the contract of docs/design.md §7.
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
        /// How long opening one connection may take, startup and authentication included
        /// (libpq's `connect_timeout`, in whole seconds). A failed open fails the
        /// request that needed the connection.
        public var connectTimeoutMs = 2000
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

    /// Least privilege: the server connects as the application role (`exchange_app`: rows
    /// only — no DDL, no trigger changes, no `session_replication_role`); migrations run as the
    /// owner role (`exchange_owner`) through `migrationUrl`. `scripts/dev-services` creates both.
    public struct Database: Sendable, Equatable {
        public var primary = Pool(url: "postgresql://exchange_app@127.0.0.1:55432/exchange", poolSize: 10)
        public var replica = Pool(url: "postgresql://exchange_app@127.0.0.1:55433/exchange", poolSize: 4)
        /// Where `exchange-server migrate` connects: the schema owner.
        public var migrationUrl = "postgresql://exchange_owner@127.0.0.1:55432/exchange"
        /// The role the migrator grants row access to (`GRANT SELECT, INSERT, UPDATE, DELETE`;
        /// the audit log only `SELECT, INSERT`); empty grants nothing.
        public var appRole = "exchange_app"
        /// Named prepared statements per connection; `false` when a transaction-pooling
        /// PgBouncer sits in front of PostgreSQL (docs/tuning.md "Behind PgBouncer").
        public var preparedStatements = true
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
        /// With Redis down: allow (`true`) or refuse with 503 (`false`). Applies to request
        /// creation only: sign-in limits never fail open.
        public var failOpen = true
        /// `POST /api/auth/otp` per client address.
        public var otpPerAddressPerMinute = 30
        /// `POST /api/auth/verify` per client address.
        public var verifyPerAddressPerMinute = 60
        /// SMS sign-in codes per minute across all phones (bounds SMS pumping).
        public var smsPerMinute = 600
        /// Token look-ups that miss both caches, per client address (random tokens can't
        /// drive queries on the primary).
        public var tokenLookupsPerAddressPerMinute = 120
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
        /// Wrong codes a phone may send in an hour, across re-issued codes; then verify
        /// answers 429 until the hour ends, even for the right code.
        public var maxWrongCodesPerHour = 10
        /// How long an unknown token is remembered as unknown, in-process.
        public var negativeCacheSeconds = 30
        /// Keys the code hashes (HMAC) and seals codes inside SMS jobs (AES-GCM). At least 32
        /// characters; every process of a deployment (servers, workers) needs the same one.
        /// The default is for development only and is reported at start.
        public var secret = Self.developmentSecret

        public static let developmentSecret = "exchange-lab-development-secret-change-me"
    }

    public struct Realtime: Sendable, Equatable {
        public var maxSubscriptionsPerConnection = 100
        public var maxFrameBytes = 16 * 1024
        /// Events buffered for a connection that doesn't read before it is closed.
        public var sendBufferLimit = 1024
        public var pingIntervalMs = 30_000
        /// How often an open socket re-checks its session (closed with 4001 once expired or
        /// revoked).
        public var sessionCheckIntervalMs = 30_000
        /// Pub/sub messages buffered between Redis and the fan-out; beyond it they are dropped
        /// and counted (clients repair the gap with `/sync`), so memory stays bounded.
        public var pubsubBufferLimit = 10_000
    }

    /// What the periodic pruning job (`RetentionPruner`) removes, and how often it runs.
    public struct Retention: Sendable, Equatable {
        /// Pause between pruning rounds; 0 turns pruning off.
        public var intervalMs = 60_000
        /// Dispatched outbox rows older than this are deleted (their jobs are in Redis or done).
        public var outboxAgeHours = 24
        /// Entries of the completed-critical-jobs trail older than this are trimmed.
        public var completedJobsAgeHours = 24 * 7
        /// Rows deleted per statement, so pruning never holds long locks.
        public var batchSize = 1000
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
    public var retention = Retention()
    public var logLevel = "info"

    public init() {}
}
