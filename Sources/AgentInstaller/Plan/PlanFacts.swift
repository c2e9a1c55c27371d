import AgentSupport
import Preflight

/// The facts about a host that an `InstallPlan` depends on, taken from `HostFacts` (or built directly in tests).
public struct PlanFacts: Sendable, Equatable {
    /// The host's root (`/` for the live host).
    public var root: HostRoot
    /// The package manager in use.
    public var packageManager: PackageManagerKind
    /// The OpenSSL flavour of packages to install.
    public var flavour: OpenSSLFlavour
    /// Installed package versions by name, as the package manager reports them.
    public var installed: [String: String]
    /// Whether python with `ctypes` and curl work (omsconfig needs them, §7 stage 8).
    public var dscUsable: Bool
    /// Why DSC is not usable, when it is not.
    public var dscProblem: String?
    /// The SHA-256 of the bundle whose install last ran to its end under this root (the receipt's, when its exit
    /// code is 0 or a remembered kit/auoms code); nil when no run completed. A run of another bundle, or one that
    /// was killed or failed, leaves the upgrade's housekeeping (stage 9) to be done even when no package changes.
    public var completedBundleSHA256: String?

    /// Creates facts directly.
    public init(root: HostRoot, packageManager: PackageManagerKind, flavour: OpenSSLFlavour,
                installed: [String: String], dscUsable: Bool, dscProblem: String? = nil) {
        self.root = root
        self.packageManager = packageManager
        self.flavour = flavour
        self.installed = installed
        self.dscUsable = dscUsable
        self.dscProblem = dscProblem
    }

    /// The facts the plan needs from gathered host facts, with the agent packages' full installed versions
    /// (epoch and revision included, which `HostFacts.packages` drops) read from the package database.
    /// - Throws: `.noPackageManager` (66) or `.dependencyUnusable` (55) when they cannot be decided.
    public static func read(_ facts: HostFacts, runner: ProcessRunner = ProcessRunner()) async throws(AgentError) -> PlanFacts {
        var result = try PlanFacts(facts)
        result.installed = await installedVersions(root: facts.root, manager: result.packageManager,
                                                   names: InstallPlan.packageOrder, runner: runner)
        return result
    }

    /// The facts the plan needs from gathered host facts (installed versions as `HostFacts.packages` has them).
    /// - Throws: `.noPackageManager` (66) or `.dependencyUnusable` (55) when they cannot be decided.
    public init(_ facts: HostFacts) throws(AgentError) {
        guard let manager = facts.packageManager else {
            throw AgentError(.noPackageManager, "neither dpkg nor rpm found under \(facts.root)")
        }
        guard let flavour = facts.opensslFlavour else {
            throw AgentError(.dependencyUnusable, "no supported OpenSSL library found under \(facts.root)")
        }
        var installed: [String: String] = [:]
        for entry in facts.packages?.entries ?? [] { installed[entry.name] = entry.version }
        var problem: String?
        if facts.python.chosenPath == nil { problem = "python is not installed" }
        else if facts.python.ctypes == false { problem = "python's ctypes module is missing" }
        else if !facts.curl.isPresent { problem = "curl is not installed" }
        self.init(root: facts.root, packageManager: manager, flavour: flavour, installed: installed,
                  dscUsable: problem == nil, dscProblem: problem)
    }

    /// Reads the installed versions of `names` from the package database of `root` (dpkg status file, or
    /// `rpm --root R --dbpath /var/lib/rpm -q`).
    public static func installedVersions(root: HostRoot, manager: PackageManagerKind, names: [String],
                                         runner: ProcessRunner = ProcessRunner()) async -> [String: String] {
        var result: [String: String] = [:]
        switch manager {
        case .dpkg:
            guard let status = DpkgStatus(root: root) else { return [:] }
            for name in names { if let p = status.installed(name) { result[name] = p.version } }
        case .rpm:
            var argv = ["rpm"]
            if !root.isLive { argv += ["--root", root.path, "--dbpath", "/var/lib/rpm"] }
            argv += ["-q", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"] + names
            guard let out = try? await runner.run(argv) else { return [:] }
            for line in out.standardOutput.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, names.contains(String(parts[0])) { result[String(parts[0])] = String(parts[1]) }
            }
        }
        return result
    }
}
