import AgentSupport
import Preflight

/// The install as a value (agent contract §6, §7): printing it is `plan` and `install --dry-run`, executing it
/// (`InstallRun.execute`) is `install`. Built only by `make`, from the bundle's manifest and the host's facts.
public struct InstallPlan: Sendable, Codable, Equatable {
    /// The package components in the contract's install order; the uninstall order is the reverse.
    public static let packageOrder = ["omi", "scx", "omsagent", "omsconfig"]

    /// The bundle's version (`1.14.19-0`), when known.
    public var bundleVersion: String?
    /// The root the plan applies to (`/` is the live host).
    public var root: String
    /// The package manager.
    public var packageManager: PackageManagerKind
    /// The OpenSSL flavour whose packages are used.
    public var flavour: OpenSSLFlavour
    /// The options it was made with.
    public var options: InstallOptions
    /// The ordered steps.
    public var steps: [PlanStep]
    /// Stage 4: what runs when an OMI or SCX step fails (remove both, add OMI, reload it, add SCX); afterwards
    /// the run continues with the first step after stage 3. Empty when neither changes.
    public var retryPath: [PlanStep] = []
    /// Set when the plan must not run at all (e.g. 23: `--install` with omi/scx present); nothing changes.
    public var blocked: Blocked?
    /// The services the run touches (reload/restart), in order.
    public var services: [String]
    /// The onboarding that follows the packages (`install -w …`), nil without onboarding options; `install` runs
    /// exactly this value (`Onboarding.execute(_:options:context:transport:)`).
    public var onboarding: OnboardingPlan?

    /// Whether the packages of this plan add or replace omsagent (and with it `service_control`).
    public var installsAgent: Bool { steps.contains { $0.component == "omsagent" && $0.changesPackages } }

    /// Why a plan cannot run, with its exit code.
    public struct Blocked: Sendable, Codable, Equatable {
        /// The exit code.
        public var code: Int32
        /// The one-line reason.
        public var message: String
    }

    /// Whether executing the plan changes any package.
    public var changesPackages: Bool { steps.contains { $0.changesPackages } }

    /// Builds the plan.
    ///
    /// - Parameters:
    ///   - manifest: the extracted bundle's manifest.
    ///   - bundleDirectory: where the bundle was extracted (package paths in commands are under it).
    ///   - bundleSHA256: the bundle's digest, compared with `facts.completedBundleSHA256` (stage 9 of an unfinished
    ///     run); nil plans stage 9 after package changes only.
    ///   - packageSizes: installed size in bytes by package name (`PackageSizes.read`); a package without one
    ///     counts with its file size in the disk check.
    /// - Throws: `.integrity` (80) when the bundle lacks a package of the host's flavour and format, or a bundled
    ///   version is unreadable; `.systemProblem` (52) when an installed version is unreadable.
    public static func make(manifest: BundleManifest, bundleDirectory: String, bundleVersion: String?,
                            bundleSHA256: String? = nil, facts: PlanFacts, options: InstallOptions,
                            packageSizes: [String: Int64] = [:]) throws(AgentError) -> InstallPlan {
        let format = facts.packageManager == .dpkg ? "deb" : "rpm"
        let available = manifest.packages(flavour: facts.flavour.rawValue, format: format)
        var plan = InstallPlan(bundleVersion: bundleVersion, root: facts.root.path, packageManager: facts.packageManager,
                               flavour: facts.flavour, options: options, steps: [], blocked: nil, services: [])
        if options.mode == .install {
            let present = ["omi", "scx"].filter { facts.installed[$0] != nil }
            if !present.isEmpty {
                plan.blocked = Blocked(code: ExitCode.existingAgent.rawValue,
                                       message: "\(present.joined(separator: " and ")) already installed: use --upgrade")
            }
        }
        let command = PackageCommand(root: facts.root, manager: facts.packageManager, options: options)
        var packageSteps: [String: PlanStep] = [:]
        var files: [String: (path: String, bytes: Int64)] = [:]
        for name in packageOrder {
            guard let package = available.first(where: { $0.name == name }) else {
                throw AgentError(.integrity, "the bundle has no \(name) \(format) package for OpenSSL flavour \(facts.flavour.rawValue)")
            }
            files[name] = (bundleDirectory + "/" + package.path, packageSizes[name] ?? FileIO.attributes(bundleDirectory + "/" + package.path).map { Int64($0.size) } ?? 0)
            packageSteps[name] = try packageStep(name, package: package, file: files[name]!.path, facts: facts,
                                                 options: options, command: command)
        }
        let omi = packageSteps["omi"]!, scx = packageSteps["scx"]!, agent = packageSteps["omsagent"]!
        plan.steps.append(omi)
        plan.steps.append(reloadStep(after: omi, root: facts.root))
        if scx.changesPackages, let old = facts.root.readText(PlanFileEdits.scxadmin) {
            plan.steps.append(.file("scx", .removeFile, path: PlanFileEdits.scxadmin,
                                    diff: PlanFileEdits.removalDiff(path: PlanFileEdits.scxadmin, old: old),
                                    reason: "a stale scxadmin is deleted before scx is added", failureCode: scx.failureCode, stage: 3))
        }
        plan.steps.append(scx)
        let upgradesAgent = agent.action == .upgrade || agent.action == .downgrade
        if upgradesAgent, let old = facts.root.readText(PlanFileEdits.consistencyInvokerCron) {
            plan.steps.append(.file("omsagent", .removeFile, path: PlanFileEdits.consistencyInvokerCron,
                                    diff: PlanFileEdits.removalDiff(path: PlanFileEdits.consistencyInvokerCron, old: old),
                                    reason: "the DSC consistency cron job is recreated after the upgrade",
                                    failureCode: agent.failureCode, stage: 5))
        }
        plan.steps.append(agent)
        if let cylance = cylanceStep(agent: agent, root: facts.root) { plan.steps.append(cylance) }
        if upgradesAgent, let old = facts.root.readText(PlanFileEdits.syslogConf),
           let diff = PlanFileEdits.diff(path: PlanFileEdits.syslogConf, old: old, new: PlanFileEdits.syslogHotfix(old)) {
            plan.steps.append(.file("omsagent", .editFile, path: PlanFileEdits.syslogConf, diff: diff,
                                    reason: "syslog hotfix: the agent listens for syslog on udp",
                                    failureCode: agent.failureCode, stage: 7, edit: .syslogHotfix))
        }
        let dsc = packageSteps["omsconfig"]!
        if dsc.action == .upgrade {
            plan.steps.append(dscRemovalBeforeUpgrade(dsc, command: command))
        }
        plan.steps.append(dsc)
        // Stage 9 follows a package change, and also a run of this bundle that never reached its end (killed or
        // failed after the packages: the next run has no package to change but the housekeeping is still owed).
        let unfinished = bundleSHA256 != nil && facts.completedBundleSHA256 != bundleSHA256
        if options.mode == .upgrade, plan.changesPackages || unfinished {
            plan.steps += dscHousekeeping(root: facts.root)
        }
        for kit in manifest.kits {
            plan.steps.append(kitStep(kit, bundleDirectory: bundleDirectory, facts: facts, options: options))
        }
        if let auoms = manifest.auoms {
            plan.steps.append(auomsStep(auoms, bundleDirectory: bundleDirectory, facts: facts, options: options))
        }
        if omi.changesPackages || scx.changesPackages {
            plan.retryPath = retryPath(facts: facts, command: command, omi: omi, scx: scx,
                                       omiFile: files["omi"]!.path, scxFile: files["scx"]!.path)
        }
        let planned = plan.steps.filter(\.changesPackages).map(\.component)
        if !planned.isEmpty {
            let bytes = planned.reduce(Int64(0)) { $0 + (files[$1]?.bytes ?? 0) }
            plan.steps.insert(DiskRequirement.step(root: facts.root, packageBytes: bytes, packages: planned), at: 0)
        }
        if plan.steps.contains(where: { $0.component == "omi-reload" && $0.action != .skip }) {
            plan.services.append("omi (reload)")
        }
        if plan.steps.contains(where: { $0.component == "omi-restart" }) { plan.services.append("omi (restart)") }
        return plan
    }

    /// One package's stage step (§6's decision).
    static func packageStep(_ name: String, package: BundleManifest.Package, file: String, facts: PlanFacts,
                            options: InstallOptions, command: PackageCommand) throws(AgentError) -> PlanStep {
        let code = failureCode(name)
        let stage = ["omi": 1, "scx": 3, "omsagent": 5][name] ?? 8
        let installed = facts.installed[name]
        if name == "omsconfig", !facts.dscUsable, installed == nil {
            return PlanStep(component: name, action: .skip, installed: nil, bundled: package.version,
                            reason: "omsconfig skipped: \(facts.dscProblem ?? "DSC unusable")", failureCode: code).inStage(stage)
        }
        var step: PlanStep
        switch VersionDecision.decide(installed: installed, bundled: package.baseName,
                                      manager: facts.packageManager == .dpkg ? .dpkg : .rpm, force: options.force) {
        case .invalid(let error):
            throw error
        case .install:
            step = PlanStep(component: name, action: .install, installed: nil, bundled: package.version,
                            reason: "not installed", command: command.add(file, upgrade: false), failureCode: code)
        case .upgrade:
            step = PlanStep(component: name, action: .upgrade, installed: installed, bundled: package.version,
                            reason: "bundled version is newer", command: command.add(file, upgrade: true), failureCode: code)
        case .downgrade:
            step = PlanStep(component: name, action: .downgrade, installed: installed, bundled: package.version,
                            reason: "bundled version is older; --force downgrades",
                            command: command.add(file, upgrade: true), failureCode: code)
        case .skip:
            step = PlanStep(component: name, action: .skip, installed: installed, bundled: package.version,
                            reason: "Skipping package upgrade: the same version is installed", failureCode: code)
        case .refuse:
            step = PlanStep(component: name, action: .refuse, installed: installed, bundled: package.version,
                            reason: "bundled version is older than the installed one; --force downgrades", failureCode: code)
        }
        step.stage = stage
        // dpkg's status 2 is a dependency or system problem, not the package's own failure (§13: 52).
        if facts.packageManager == .dpkg, step.changesPackages { step.systemProblemStatuses = [2] }
        step.retriesOnFailure = step.changesPackages && (name == "omi" || name == "scx")
        return step
    }

    /// Stage 8: upstream removes the old omsconfig before upgrading it. A failed removal is reported and ignored
    /// (the upgrade replaces it anyway); once removed, the old version cannot come back on rollback.
    static func dscRemovalBeforeUpgrade(_ dsc: PlanStep, command: PackageCommand) -> PlanStep {
        PlanStep(component: "omsconfig", action: .remove, installed: dsc.installed,
                 reason: "the old omsconfig is removed before its upgrade; if the upgrade then fails it cannot be "
                     + "restored (the old package is not in the bundle) and is reported as not undone",
                 command: command.remove(["omsconfig"], purge: false), failureCode: dsc.failureCode,
                 stopsOnFailure: false).inStage(8)
    }

    /// §7's failure code of a package stage.
    static func failureCode(_ name: String) -> Int32 {
        switch name {
        case "omi": ExitCode.omiStage.rawValue
        case "scx": ExitCode.scxStage.rawValue
        case "omsagent": ExitCode.omsagentStage.rawValue
        default: ExitCode.omsconfigStage.rawValue
        }
    }
}
