#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport
import Preflight

/// Removes the agent (contract §8) in reverse install order: `remove` keeps configuration, workspace certificates
/// and data; `purge` also deletes the agent's data trees. Packages already absent are skipped, so a second run is
/// harmless. Every package's outcome is reported; anything that should have gone but remains makes it fail.
/// While `lad-mdsd` or `azsec-mdsd` is installed, omi and scx (and their provider kits) stay unless `force`: remove
/// keeps them silently as upstream does, purge keeps them and fails (§8, improved).
public enum Uninstall {
    /// The data trees `purge` deletes once their package is gone (contract §8 step 7), by package.
    public static let purgeTrees: [(package: String, paths: [String])] = [
        ("omsconfig", ["/etc/opt/microsoft/omsconfig", "/opt/microsoft/omsconfig", "/var/opt/microsoft/omsconfig"]),
        ("omsagent", ["/etc/opt/microsoft/omsagent", "/opt/microsoft/omsagent", "/var/opt/microsoft/omsagent"]),
        ("scx", ["/etc/opt/microsoft/scx", "/opt/microsoft/scx", "/var/opt/microsoft/scx"]),
        ("omi", ["/etc/opt/omi", "/opt/omi", "/var/opt/omi"]),
        ("auoms", ["/etc/opt/microsoft/auoms", "/opt/microsoft/auoms", "/var/opt/microsoft/auoms"]),
    ]
    /// Directories `purge` removes when empty, in order.
    public static let emptyParents = ["/etc/opt/microsoft", "/opt/microsoft", "/var/opt/microsoft", "/etc/opt", "/var/opt"]
    /// The base system's directories (Debian's base-files creates them, RHEL's filesystem owns them). When one of
    /// `packages` is installed they survive an uninstall, unlike upstream: purge does not `rmdir` them, and one that
    /// dpkg removed with the last package listing it is recreated with its former mode and owner.
    public static let baseSystemDirectories = (packages: ["base-files", "filesystem"], paths: ["/opt", "/etc/opt", "/var/opt"])
    /// Files removed by both modes (steps 2 and 8).
    public static let strayFiles = ["/etc/cron.d/OMSConsistencyInvoker", "/etc/omsagent-onboard.conf",
                                    "/etc/collectd.d/oms.conf", "/etc/collectd/collectd.conf.d/oms.conf"]
    /// Provider packages removed before scx.
    public static let providerPackages = ["apache-cimprov", "mysql-cimprov", "docker-cimprov"]
    /// Other agents that need omi and scx.
    public static let consumers = ["lad-mdsd", "azsec-mdsd"]

    /// What an uninstall did.
    public struct Outcome: Sendable, Codable, Equatable {
        /// 0 when everything meant to go is gone, else 1.
        public var exitCode: Int32
        /// Per package: `removed`, `purged`, `absent`, `kept: …`, or `failed: …`.
        public var packages: [String: String]
        /// Host paths deleted.
        public var deleted: [String]
        /// Notes and warnings.
        public var notes: [String]
        /// Whether anything changed.
        public var changed: Bool
        /// The bundle version the last install's receipt recorded, when there was one.
        public var receiptBundleVersion: String?
    }

    /// Runs the uninstall.
    public static func execute(root: HostRoot, manager: PackageManagerKind, purge: Bool, force: Bool = false,
                               runner: ProcessRunner = ProcessRunner(), lockTimeout: Duration = .seconds(300),
                               progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(AgentError) -> Outcome {
        let names = consumers + InstallPlan.packageOrder.reversed() + providerPackages + ["auoms"]
        let installed = await PlanFacts.installedVersions(root: root, manager: manager, names: names, runner: runner)
        var outcome = Outcome(exitCode: 0, packages: [:], deleted: [], notes: [], changed: false,
                              receiptBundleVersion: InstallReceipt.read(root: root)?.bundleVersion)
        let present = consumers.filter { installed[$0] != nil }
        for c in present {
            outcome.notes.append(purge ? "PURGE WARNING: \(c) is installed and needs omi and scx"
                                     + (force ? "; --force purges them anyway" : "; they are kept (--force purges them)")
                                 : "\(c) is installed")
        }
        let command = PackageCommand(root: root, manager: manager, options: InstallOptions())
        if InstallPlan.packageOrder.contains(where: { installed[$0] != nil }) {
            try await PackageLockWait.wait(root: root, manager: manager, timeout: lockTimeout, report: progress)
        }
        for file in strayFiles.prefix(2) { delete(file, root: root, into: &outcome) }
        let baseInstalled = !(await PlanFacts.installedVersions(root: root, manager: manager,
                                                                names: baseSystemDirectories.packages, runner: runner)).isEmpty
        let baseDirectories = !baseInstalled ? [] : baseSystemDirectories.paths.compactMap { path in
            real(path, root).flatMap { FileIO.kind($0, followLinks: false) == .directory ? FileIO.attributes($0) : nil }
                .map { (path: path, attributes: $0) }
        }
        if purge {
            // What the omsagent package's removal scripts undo upstream (service units, syslog forwarding, logrotate
            // files); in a --root tree its scripts cannot, and these files are onboarding's, not the package's.
            do throws(AgentError) {
                for removed in try await WorkspaceRemoval.removeAll(context: InstallContext(root: root, runner: runner)) {
                    outcome.deleted += removed.removed
                    outcome.changed = outcome.changed || !removed.removed.isEmpty
                }
            } catch {
                outcome.notes.append(error.message)
                outcome.exitCode = 1
            }
        }
        var order = ["omsconfig"]
        if installed["lad-mdsd"] != nil, !purge, installed["omsagent"] != nil {
            outcome.packages["omsagent"] = "kept: lad-mdsd uses it"
        } else {
            order.append("omsagent")
            if !purge && installed["omsagent"] != nil {
                // omsagent's removal scripts (service_control disable, configure_syslog.sh purge, post-remove
                // cleanup) cannot run in a --root tree: do their file effects, keeping each workspace's identity.
                do throws(AgentError) {
                    let detached = try await WorkspaceRemoval.detachAll(context: InstallContext(root: root, runner: runner))
                    outcome.deleted += detached.removed
                    outcome.changed = outcome.changed || !detached.removed.isEmpty
                } catch {
                    outcome.notes.append(error.message)
                    outcome.exitCode = 1
                }
            }
        }
        if present.isEmpty || (purge && force) { order += providerPackages + ["scx", "omi"] } else {
            for name in ["scx", "omi"] where installed[name] != nil {
                outcome.packages[name] = "kept: \(present.joined(separator: ", ")) needs it" + (purge ? " (--force purges it)" : "")
                // A purge was asked for: what it leaves behind is a failure to report, not a silent success.
                if purge { outcome.exitCode = 1 }
            }
        }
        order.append("auoms")
        for name in order {
            guard installed[name] != nil else {
                if InstallPlan.packageOrder.contains(name) { outcome.packages[name] = "absent" }
                continue
            }
            let purgeIt = purge || name == "omi"
            progress("\(purgeIt ? "purging" : "removing") \(name)")
            let out = try? await runner.run(command.remove([name], purge: purgeIt))
            if out?.succeeded == true {
                outcome.packages[name] = purgeIt ? "purged" : "removed"
                outcome.changed = true
            } else {
                let lines = InstallRun.errorLines(out?.standardError ?? "").map { $0.trimmingPrefixSpace }
                outcome.packages[name] = "failed: " + (out == nil ? "could not run" : lines.joined(separator: " | "))
                outcome.exitCode = 1
            }
        }
        let after = await PlanFacts.installedVersions(root: root, manager: manager, names: names, runner: runner)
        for name in order where installed[name] != nil && after[name] != nil && outcome.packages[name]?.hasPrefix("failed") != true {
            outcome.packages[name] = "failed: still installed (\(after[name]!))"
            outcome.exitCode = 1
        }
        if purge {
            for (package, paths) in purgeTrees where after[package] == nil {
                for path in paths { delete(path, root: root, into: &outcome) }
            }
            for dir in emptyParents where !baseDirectories.contains(where: { $0.path == dir }) {
                if let real = real(dir, root), root.isDirectory(dir), FileIO.list(real).isEmpty {
                    delete(dir, root: root, into: &outcome)
                }
            }
        }
        for (path, attributes) in baseDirectories where !root.exists(path) {
            guard let real = real(path, root), mkdir(real, 0o700) == 0,
                  chown(real, attributes.uid, attributes.gid) == 0, chmod(real, mode_t(attributes.mode)) == 0 else {
                outcome.notes.append("cannot recreate \(path): \(FileIO.errnoText())")
                outcome.exitCode = 1
                continue
            }
            outcome.notes.append("recreated \(path): the package manager removed it with the last package that listed it")
        }
        for file in strayFiles.suffix(2) { delete(file, root: root, into: &outcome) }
        if after["omsagent"] == nil || purge { delete(InstallReceipt.path, root: root, into: &outcome) }
        return outcome
    }

    /// The real path of `hostPath` with its parent resolved inside the root and its last component not followed.
    static func real(_ hostPath: String, _ root: HostRoot) -> String? {
        guard let slash = hostPath.lastIndex(of: "/") else { return nil }
        let parent = String(hostPath[..<slash])
        guard let realParent = root.resolve(parent.isEmpty ? "/" : parent) else { return nil }
        return (realParent == "/" ? "" : realParent) + hostPath[slash...]
    }

    static func delete(_ hostPath: String, root: HostRoot, into outcome: inout Outcome) {
        guard let path = real(hostPath, root), FileIO.kind(path, followLinks: false) != nil else { return }
        do throws(AgentError) {
            try FileIO.removeTree(path)
            outcome.deleted.append(hostPath)
            outcome.changed = true
        } catch {
            outcome.notes.append(error.message)
            outcome.exitCode = 1
        }
    }
}

extension String {
    /// Without leading spaces and tabs.
    var trimmingPrefixSpace: String { String(drop { $0 == " " || $0 == "\t" }) }
}
