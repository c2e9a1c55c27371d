import Glibc

/// libFuzzer's driver (in the fuzzer runtime that `-sanitize=fuzzer` links): parses libFuzzer's flags from argv and
/// runs the fuzzing loop or the given inputs.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry point. SwiftPM links executables with `main` aliased to `<module>_main`, which hides
/// libFuzzer's own `main`, so this hands control to libFuzzer's driver instead.
@_cdecl("AgentFuzz_main")
public func agentFuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, { data, size in agentFuzzTestOneInput(data, size) })
}

/// The libFuzzer entry point of every fuzz target. `AGENT_FUZZ_TARGET` names the parser to feed; an unknown or
/// missing name stops the run at the first input (so a typo cannot fuzz nothing for minutes).
@_cdecl("LLVMFuzzerTestOneInput")
public func agentFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

/// One parser under fuzz: its name (the `AGENT_FUZZ_TARGET` value and the corpus directory) and its body, which
/// traps when an invariant does not hold.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    /// Every target, in the order `scripts/fuzz` runs them.
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "os-release", run: TextTargets.osRelease),
        FuzzTarget(name: "release-file", run: TextTargets.releaseFile),
        FuzzTarget(name: "proxy", run: ProxyTargets.proxyConfiguration),
        FuzzTarget(name: "http-proxy", run: ProxyTargets.httpProxy),
        FuzzTarget(name: "debian-version", run: VersionTargets.debian),
        FuzzTarget(name: "rpm-version", run: VersionTargets.rpm),
        FuzzTarget(name: "bundle-header", run: TextTargets.bundleHeader),
        FuzzTarget(name: "sha256sums", run: TextTargets.sha256Sums),
        FuzzTarget(name: "topology-response", run: TextTargets.topologyResponse),
        FuzzTarget(name: "omsadmin-conf", run: TextTargets.omsAdminConf),
        FuzzTarget(name: "extension-settings", run: ExtensionTargets.settings),
        FuzzTarget(name: "handler-environment", run: ExtensionTargets.handlerEnvironment),
        FuzzTarget(name: "deb-control", run: PackageTargets.debianControl),
        FuzzTarget(name: "rpm-header", run: PackageTargets.rpmHeader),
    ]

    /// The target named by `AGENT_FUZZ_TARGET`, looked up once.
    static let selected: FuzzTarget = {
        let name = getenv("AGENT_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name).joined(separator: " ")
            printError("AgentFuzz: set AGENT_FUZZ_TARGET to one of: \(names)")
            exit(2)
        }
        return target
    }()
}

/// Stops the process (libFuzzer records the input as a crash) when `condition` is false.
func require(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition {
        printError("AgentFuzz invariant violated: \(what())")
        abort()
    }
}

/// `bytes` cut at the first `separator` into at most `count` parts (missing parts are empty).
func parts(_ bytes: [UInt8], _ count: Int, separator: UInt8 = 0x0a) -> [String] {
    var out = bytes.split(separator: separator, maxSplits: count - 1, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    while out.count < count { out.append("") }
    return out
}

/// Writes one line to standard error (file descriptor 2, unbuffered, so it is out before an abort).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
