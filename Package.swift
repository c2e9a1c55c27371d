// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "agent-installer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agent-installer", targets: ["agent-installer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0", traits: []),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // C libraries, one shim header each (variadic functions and macros wrapped as static inline).
        .systemLibrary(name: "CAgentCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CAgentOpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CAgentArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CAgentExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),

        // The only module that touches C.
        .target(
            name: "AgentSupport",
            dependencies: [
                "CAgentCurl", "CAgentOpenSSL", "CAgentArchive", "CAgentExpat",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Preflight", dependencies: ["AgentSupport"], swiftSettings: strict),
        .target(name: "AgentInstaller", dependencies: ["AgentSupport", "Preflight"], swiftSettings: strict),
        .executableTarget(
            name: "agent-installer",
            dependencies: [
                "AgentInstaller", "Preflight", "AgentSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Shared by the test targets: temporary roots, oracle commands, the test servers' addresses.
        .target(name: "TestSupport", dependencies: ["AgentSupport"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "AgentSupportTests", dependencies: ["AgentSupport", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PreflightTests", dependencies: ["Preflight", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AgentInstallerTests", dependencies: ["AgentInstaller", "Preflight", "TestSupport"],
            swiftSettings: strict),
    ]
)

// libFuzzer targets (scripts/fuzz): declared only when AGENT_FUZZ=1, because libFuzzer supplies `main` only in a
// build with `-sanitize=fuzzer` (scripts/fuzz builds them in .build-fuzz with that flag).
if Context.environment["AGENT_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "AgentFuzz", dependencies: ["AgentInstaller", "Preflight", "AgentSupport"], path: "Fuzz/AgentFuzz",
        swiftSettings: strict))
}
