// swift-tools-version: 6.0
import PackageDescription

// Hot numeric code is compiled optimised even in debug builds: debug SIMD code runs ~350x slower,
// and the real-model tests must finish in CI time. `haswell` = AVX2 + FMA + F16C, present on any
// x86-64 server since 2013 (AVX-512 targets would SIGILL on older CPUs).
#if arch(x86_64)
let fast: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell"])]
#else
let fast: [SwiftSetting] = [.unsafeFlags(["-O"])]
#endif

let package = Package(
    name: "LoRAServe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loraserve", targets: ["loraserve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 0: pure (no I/O, no clock reads, no global randomness).
        .target(name: "ServeCore"),
        .target(name: "Kernels", swiftSettings: fast),
        .executableTarget(name: "KernelsBench", dependencies: ["Kernels"], swiftSettings: fast),
        .target(name: "GGUF", dependencies: ["ServeCore"], swiftSettings: fast),
        .executableTarget(name: "GGUFFuzz", dependencies: ["GGUF", "ServeCore"], swiftSettings: fast),
        .target(name: "Safetensors", dependencies: ["ServeCore"], swiftSettings: fast),
        .target(name: "Tokenizers", dependencies: ["ServeCore", "GGUF"], swiftSettings: fast),
        .target(name: "LlamaModel", dependencies: ["Kernels", "ServeCore", "GGUF", "Tokenizers", "LoRAAdapters"], swiftSettings: fast),
        .target(name: "BertModel", dependencies: ["Kernels", "ServeCore", "Safetensors", "Tokenizers"], swiftSettings: fast),
        .target(name: "BatchScheduler", dependencies: ["ServeCore"], swiftSettings: fast),
        .target(name: "OpenAIWire", dependencies: ["ServeCore"]),
        .target(name: "Reports"),
        .target(name: "LoRAAdapters", dependencies: ["ServeCore", "Safetensors", "GGUF", "Kernels"], swiftSettings: fast),
        .target(name: "Placement", dependencies: ["ServeCore"], swiftSettings: fast),
        .target(name: "SummaryCache", dependencies: ["ServeCore", "Kernels"], swiftSettings: fast),
        // SHA-256 block function on the x86 SHA extensions (Swift cannot call those intrinsics).
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O2"])]),
        // Layer 1: runtime (effects: files, processes, threads, clocks).
        .target(name: "ModelStore", dependencies: ["CSHA256", "GGUF", "Safetensors", "LlamaModel", "Tokenizers", "ServeCore", "LoRAAdapters"], swiftSettings: fast),
        .target(name: "Engine", dependencies: ["LlamaModel", "ModelStore", "Kernels", "ServeCore", "Tokenizers", "BatchScheduler", "LoRAAdapters", "Safetensors"], swiftSettings: fast),
        .target(name: "Simulator", dependencies: ["BatchScheduler", "Placement", "ServeCore"], swiftSettings: fast),
        .target(name: "Worker", dependencies: [
            "Engine", "OpenAIWire", "ServeCore", "Tokenizers",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "CacheStores", dependencies: [
            "SummaryCache", "ServeCore",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .executableTarget(name: "CacheStoreCrashWriter", dependencies: ["CacheStores", "SummaryCache"]),
        .target(name: "QAPipeline", dependencies: ["SummaryCache", "BertModel", "Engine", "ModelStore", "ServeCore", "Tokenizers", "Safetensors"],
                // The reuse verifier: LoRA deltas + heads over all-MiniLM-L6-v2 (≈ 1.3 MB each) and
                // all-mpnet-base-v2 (5.3 MB), logits averaged; made by Scripts/train_reuse_verifier.py.
                resources: [.copy("Resources/reuse-verifier.safetensors"), .copy("Resources/reuse-verifier-general.safetensors"),
                            .copy("Resources/reuse-verifier-mpnet.safetensors")]),
        // The summary-cache HTTP API (mounted by the controller, or served standalone) and its client.
        .target(name: "CacheAPI", dependencies: [
            "QAPipeline", "SummaryCache", "CacheStores", "BertModel", "OpenAIWire", "ServeCore",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "Controller", dependencies: [
            "Placement", "OpenAIWire", "ServeCore",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Layer 2: the one executable.
        .target(name: "CLI", dependencies: [
            "Engine", "ModelStore", "BertModel", "SummaryCache", "Simulator", "Placement", "BatchScheduler", "LlamaModel", "Tokenizers", "GGUF", "Kernels", "ServeCore",
            "Worker", "LoRAAdapters", "Safetensors", "Reports", "QAPipeline", "Controller", "CacheAPI", "CacheStores",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "loraserve", dependencies: ["CLI"]),
        // Tests.
        .target(name: "TestSupport", dependencies: ["GGUF", "Safetensors", "ServeCore", "Kernels"], path: "Tests/TestSupport"),
        // Test HTTP servers stopped by graceful shutdown (see LiveServer.swift).
        .target(name: "LiveServerSupport", dependencies: [
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/LiveServerSupport"),
        .testTarget(name: "ServeCoreTests", dependencies: ["ServeCore"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "SafetensorsTests", dependencies: ["Safetensors", "ServeCore", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport", "GGUF"]),
        .testTarget(name: "LlamaModelTests", dependencies: ["LlamaModel", "GGUF", "Kernels", "TestSupport"]),
        .testTarget(name: "BertModelTests", dependencies: ["BertModel", "Safetensors", "Kernels", "ServeCore", "TestSupport"]),
        .testTarget(name: "OpenAIWireTests", dependencies: ["OpenAIWire"]),
        .testTarget(name: "LoRAAdaptersTests", dependencies: ["LoRAAdapters", "TestSupport"]),
        .testTarget(name: "BatchSchedulerTests", dependencies: ["BatchScheduler", "TestSupport"]),
        .testTarget(name: "PlacementTests", dependencies: ["Placement", "TestSupport"]),
        .testTarget(name: "SummaryCacheTests", dependencies: ["SummaryCache", "TestSupport"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "ModelStore", "LoRAAdapters", "BatchScheduler", "GGUF", "ServeCore", "TestSupport"]),
        .testTarget(name: "WorkerTests", dependencies: [
            "Worker", "Engine", "ModelStore", "LoRAAdapters", "TestSupport", "OpenAIWire", "ServeCore", "Tokenizers",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "CacheStoresTests", dependencies: [
            "CacheStores", "SummaryCache", "CacheStoreCrashWriter",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "QAPipelineTests", dependencies: ["QAPipeline", "SummaryCache"]),
        .testTarget(name: "ControllerTests", dependencies: [
            "Controller", "Placement", "OpenAIWire", "ServeCore", "TestSupport", "LiveServerSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "CacheAPITests", dependencies: [
            "CacheAPI", "Controller", "QAPipeline", "SummaryCache", "CacheStores", "OpenAIWire", "ServeCore", "LiveServerSupport",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "ModelStoreTests", dependencies: ["ModelStore", "ServeCore", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["CLI", "TestSupport", "LoRAAdapters", "ModelStore", "Simulator",
                                                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        // Real-model group: needs the fetched SmolLM2 / MiniLM (fetched on first use).
        .testTarget(name: "RealModelTests", dependencies: ["ModelStore", "Engine", "LlamaModel", "Tokenizers", "BertModel", "GGUF", "Safetensors", "LoRAAdapters", "Kernels", "ServeCore", "QAPipeline", "SummaryCache", "Simulator", "BatchScheduler", "Placement", "TestSupport"],
                    resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
