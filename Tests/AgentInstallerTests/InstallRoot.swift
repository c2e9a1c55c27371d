import AgentInstaller
import AgentSupport
import Preflight
import TestSupport

/// A temporary dpkg root plus extracted fixture bundles, for install/uninstall tests with the real dpkg.
struct InstallRoot {
    let dir: TemporaryDirectory
    let root: HostRoot

    init() throws {
        dir = TemporaryDirectory(prefix: "agent-install-test")
        for d in ["root/var/lib/dpkg/info", "root/var/lib/dpkg/updates", "root/var/lib/dpkg/triggers", "root/var/log"] {
            try dir.mkdir(d)
        }
        try dir.write("root/var/lib/dpkg/status", "")
        try dir.write("root/var/lib/dpkg/available", "")
        root = try HostRoot(dir.url("root"))
    }

    /// Builds and extracts the fixture bundle of `version` (with `environment` for make-packages).
    func bundle(_ version: String = "1.14.19-0", environment: [String: String] = [:],
                tag: String = "") async throws -> BundleExtraction {
        try dir.mkdir("src\(tag)-\(version)")
        let file = try await Fixtures.bundle(in: dir.url("src\(tag)-\(version)"), version: version, environment: environment)
        return try BundleExtraction.extract(path: file, destination: dir.url("bundle\(tag)-\(version)"), expected: nil)
    }

    /// The installed agent package versions, read by the plan's own reader.
    func installed() async -> [String: String] {
        await PlanFacts.installedVersions(root: root, manager: .dpkg, names: InstallPlan.packageOrder)
    }

    /// The facts of this root (dpkg, flavour 300).
    func facts(dscUsable: Bool = true) async -> PlanFacts {
        PlanFacts(root: root, packageManager: .dpkg, flavour: .v300, installed: await installed(),
                  dscUsable: dscUsable, dscProblem: dscUsable ? nil : "python is not installed")
    }

    func plan(_ bundle: BundleExtraction, options: InstallOptions = InstallOptions(), dscUsable: Bool = true) async throws -> InstallPlan {
        let sizes = await PackageSizes.read(manifest: bundle.manifest, bundleDirectory: bundle.destination, flavour: .v300, manager: .dpkg)
        return try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: bundle.destination, bundleVersion: bundle.version,
                                    facts: await facts(dscUsable: dscUsable), options: options, packageSizes: sizes)
    }

    /// Makes a maintainer script of the fixture fail: `once` (the first run only) or every time.
    func failScript(_ packageScript: String, once: Bool) throws {
        try dir.write("root/var/lib/agent-fixture/\(packageScript).\(once ? "fail-once" : "fail")", "")
    }

    /// The maintainer log as `package script first-argument` (first argument empty when there is none).
    var scriptSequence: [String] {
        maintainerLog.map { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            return parts.prefix(3).joined(separator: " ")
        }
    }

    func install(_ bundle: BundleExtraction, options: InstallOptions = InstallOptions(), dscUsable: Bool = true,
                 lockTimeout: Duration = .seconds(5)) async throws -> InstallOutcome {
        let plan = try await plan(bundle, options: options, dscUsable: dscUsable)
        return await InstallRun.execute(plan, context: .init(lockTimeout: lockTimeout, lockReportEvery: .milliseconds(500),
                                                             bundleSHA256: bundle.sha256))
    }

    /// Lines of the fixture's maintainer-script log.
    var maintainerLog: [String] {
        (dir.read("root/var/log/agent-fixture/maintainer.log") ?? "").split(separator: "\n").map(String.init)
    }

    /// The packages dpkg-query (the oracle) reports as installed: name → version.
    func dpkgQuery() async throws -> [String: String] {
        let out = try await Oracle.output(["dpkg-query", "--admindir=\(root.path)/var/lib/dpkg", "-W",
                                           "-f=${Package} ${Version} ${db:Status-Abbrev}\n"])
        var result: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 3, parts[2].hasPrefix("ii") { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}
