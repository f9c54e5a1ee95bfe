// swift-tools-version: 5.9
import PackageDescription

// libclang: Debian's libclang-dev (clang 14). Only BulkheadFrontend imports it. The LLVM 14 folders come
// first so that the Swift toolchain's own libclang (clang 21) is never picked by accident.
let llvmInclude = "/usr/lib/llvm-14/include"
let llvmLib = "/usr/lib/llvm-14/lib"

let package = Package(
    name: "Bulkhead",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bulkhead", targets: ["bulkhead"]),
        // The gate runtime that partitioned programs link (process backend): a static library, so that a
        // partitioned program is one self-contained executable.
        .library(name: "BulkheadRuntime", type: .static, targets: ["BulkheadRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "BulkheadModel"),
        .target(name: "BulkheadConfig", dependencies: ["BulkheadModel", "Yams"]),
        .systemLibrary(name: "CClang", path: "Sources/CClang"),
        .target(
            name: "BulkheadFrontend",
            dependencies: ["BulkheadModel", "CClang"],
            cSettings: [.unsafeFlags(["-I\(llvmInclude)"])],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmInclude)"])],
            linkerSettings: [.unsafeFlags(["-L\(llvmLib)", "-Xlinker", "-rpath", "-Xlinker", llvmLib])]
        ),
        .target(name: "BulkheadAnalysis", dependencies: ["BulkheadModel", "BulkheadConfig"]),
        // Templates/: fixed C that the build emits or runs (compiled by the tests, not by SwiftPM).
        .target(name: "BulkheadCodegen", dependencies: ["BulkheadModel", "BulkheadConfig", "BulkheadAnalysis"], exclude: ["Templates"]),
        // Design-space exploration: the space, the safety order, measuring with pruning; builds and runs through
        // an injected runner (the driver's), so it depends on no build stage.
        .target(name: "BulkheadExplore", dependencies: ["BulkheadModel", "BulkheadConfig", "Yams"]),
        .target(
            name: "BulkheadDriver",
            dependencies: [
                "BulkheadModel", "BulkheadConfig", "BulkheadFrontend", "BulkheadAnalysis", "BulkheadCodegen", "BulkheadExplore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmInclude)"])]
        ),
        .executableTarget(name: "bulkhead", dependencies: ["BulkheadDriver"]),
        // The runtime stands alone: it links neither libclang nor the compiler.
        .target(name: "CBulkheadRuntime", linkerSettings: [.linkedLibrary("seccomp")]),
        .target(name: "BulkheadRuntime", dependencies: ["CBulkheadRuntime"]),
        .testTarget(name: "BulkheadRuntimeTests", dependencies: []),
        .testTarget(name: "BulkheadConfigTests", dependencies: ["BulkheadConfig", "BulkheadModel"]),
        .testTarget(name: "BulkheadCodegenTests", dependencies: ["BulkheadCodegen", "BulkheadModel"]),
        .testTarget(name: "BulkheadExploreTests", dependencies: ["BulkheadExplore", "BulkheadConfig", "BulkheadModel"]),
        .testTarget(
            name: "BulkheadDriverTests",
            dependencies: ["BulkheadDriver", "BulkheadModel", "BulkheadConfig", "BulkheadAnalysis", "BulkheadCodegen", "BulkheadExplore"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmInclude)"])]
        ),
    ]
)
