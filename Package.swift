// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "exchange-lab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exchange-server", targets: ["ExchangeServer"]),
        .executable(name: "scenarios", targets: ["ScenariosCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CJemalloc", pkgConfig: "jemalloc", providers: [.apt(["libjemalloc-dev"])]),
        .target(name: "DedicatedThread"),
        .target(name: "WireJSON"),
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "DedicatedThread"]),
        .target(name: "RedisClient", dependencies: ["CHiredis", "DedicatedThread"]),
        .target(
            name: "Profiler",
            dependencies: [
                "CJemalloc",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "Server",
            dependencies: [
                "Profiler", "PostgresClient", "RedisClient", "WireJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        .target(
            name: "Scenarios",
            dependencies: [
                "Profiler", "ProviderSimulator", "PostgresClient", "RedisClient", "WireJSON",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ExchangeServer",
            dependencies: [
                "Server", "PostgresClient", "Profiler", "WireJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ProviderSimulator",
            dependencies: [
                "WireJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ScenariosCLI",
            dependencies: [
                "Scenarios", "ProviderSimulator", "Profiler", "WireJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The tests' shared waiting helper (`eventually`).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ProfilerTests", dependencies: ["Profiler"]),
        .testTarget(name: "WireJSONTests", dependencies: ["WireJSON"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "ProviderSimulator", "PostgresClient", "RedisClient", "TestSupport", "WireJSON",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ScenariosTests",
            dependencies: ["Scenarios", "Profiler", "ProviderSimulator", "PostgresClient", "RedisClient", "TestSupport", "WireJSON"]
        ),
        .testTarget(
            name: "ProviderSimulatorTests",
            dependencies: ["ProviderSimulator", "WireJSON", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
