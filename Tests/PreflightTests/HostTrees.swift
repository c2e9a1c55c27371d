import AgentSupport
import Preflight
import TestSupport

/// The host trees of `fixtures/make-host-trees`, built once per test process into a private temporary directory.
enum HostTrees {
    private static let built = Task<String, any Error> {
        let dir = TemporaryDirectory(prefix: "preflight-trees")
        keep.append(dir)
        _ = try await Oracle.output([Repository.root + "/fixtures/make-host-trees", dir.path])
        return dir.path
    }
    nonisolated(unsafe) private static var keep: [TemporaryDirectory] = []

    /// The root of tree `name`.
    static func root(_ name: String) async throws -> HostRoot {
        try HostRoot(try await built.value + "/" + name)
    }

    static func facts(_ name: String) async throws -> HostFacts {
        await HostFacts.gather(root: try await root(name))
    }

    /// The report with the disk threshold off (free space depends on the machine, tested separately).
    static func report(_ name: String, options: PreflightOptions = PreflightOptions()) async throws -> PreflightReport {
        var o = options
        o.minimumFreeBytes = 0
        return PreflightReport(facts: try await facts(name), options: o)
    }
}
