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
    /// Set when the plan must not run at all (e.g. 23: `--install` with omi/scx present); nothing changes.
    public var blocked: Blocked?
    /// The services the run touches (reload/restart), in order.
    public var services: [String]

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
    /// - Throws: `.integrity` (80) when the bundle lacks a package of the host's flavour and format, or a bundled
    ///   version is unreadable; `.systemProblem` (52) when an installed version is unreadable.
    public static func make(manifest: BundleManifest, bundleDirectory: String, bundleVersion: String?,
                            facts: PlanFacts, options: InstallOptions) throws(AgentError) -> InstallPlan {
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
        for name in packageOrder {
            guard let package = available.first(where: { $0.name == name }) else {
                throw AgentError(.integrity, "the bundle has no \(name) \(format) package for OpenSSL flavour \(facts.flavour.rawValue)")
            }
            let code = failureCode(name)
            let installed = facts.installed[name]
            if name == "omsconfig", !facts.dscUsable, installed == nil {
                plan.steps.append(PlanStep(component: name, action: .skip, installed: nil, bundled: package.version,
                                           reason: "omsconfig skipped: \(facts.dscProblem ?? "DSC unusable")",
                                           failureCode: code))
                continue
            }
            let step: PlanStep
            switch VersionDecision.decide(installed: installed, bundled: package.baseName,
                                          manager: facts.packageManager == .dpkg ? .dpkg : .rpm, force: options.force) {
            case .invalid(let error):
                throw error
            case .install:
                step = PlanStep(component: name, action: .install, installed: nil, bundled: package.version,
                                reason: "not installed", command: command.add(bundleDirectory + "/" + package.path, upgrade: false),
                                failureCode: code)
            case .upgrade:
                step = PlanStep(component: name, action: .upgrade, installed: installed, bundled: package.version,
                                reason: "bundled version is newer",
                                command: command.add(bundleDirectory + "/" + package.path, upgrade: true), failureCode: code)
            case .downgrade:
                step = PlanStep(component: name, action: .downgrade, installed: installed, bundled: package.version,
                                reason: "bundled version is older; --force downgrades",
                                command: command.add(bundleDirectory + "/" + package.path, upgrade: true), failureCode: code)
            case .skip:
                step = PlanStep(component: name, action: .skip, installed: installed, bundled: package.version,
                                reason: "Skipping package upgrade: the same version is installed", failureCode: code)
            case .refuse:
                step = PlanStep(component: name, action: .refuse, installed: installed, bundled: package.version,
                                reason: "bundled version is older than the installed one; --force downgrades",
                                failureCode: code)
            }
            let upgradesAgent = name == "omsagent" && (step.action == .upgrade || step.action == .downgrade)
            if upgradesAgent, let old = facts.root.readText(PlanFileEdits.consistencyInvokerCron) {
                plan.steps.append(.file("omsagent", .removeFile, path: PlanFileEdits.consistencyInvokerCron,
                                        diff: PlanFileEdits.removalDiff(path: PlanFileEdits.consistencyInvokerCron, old: old),
                                        reason: "the DSC consistency cron job is recreated after the upgrade", failureCode: code))
            }
            plan.steps.append(step)
            if upgradesAgent, let old = facts.root.readText(PlanFileEdits.syslogConf),
               let diff = PlanFileEdits.diff(path: PlanFileEdits.syslogConf, old: old, new: PlanFileEdits.syslogHotfix(old)) {
                plan.steps.append(.file("omsagent", .editFile, path: PlanFileEdits.syslogConf, diff: diff,
                                        reason: "syslog hotfix: the agent listens for syslog on udp", failureCode: code))
            }
            if name == "omi" { plan.steps.append(reloadStep(after: step, root: facts.root)) }
        }
        if plan.steps.contains(where: { $0.component == "omi-reload" && $0.action != .skip }) {
            plan.services.append("omi (reload)")
        }
        for kit in manifest.kits {
            plan.steps.append(kitStep(kit, bundleDirectory: bundleDirectory, facts: facts, options: options))
        }
        return plan
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

    /// Stage 2: `service_control reload` after OMI changed; never executed from a `--root` tree.
    static func reloadStep(after omi: PlanStep, root: HostRoot) -> PlanStep {
        let argv = ["/opt/omi/bin/service_control", "reload"]
        if !omi.changesPackages {
            return PlanStep(component: "omi-reload", action: .skip, reason: "OMI unchanged", failureCode: ExitCode.omiStage.rawValue)
        }
        if !root.isLive {
            return PlanStep(component: "omi-reload", action: .liveHostOnly,
                            reason: "would run \(argv.joined(separator: " ")) on a live host; programs in a --root tree are not executed",
                            command: argv, failureCode: ExitCode.omiStage.rawValue)
        }
        return PlanStep(component: "omi-reload", action: .run, reason: "OMI was \(omi.action.rawValue)ed",
                        command: argv, failureCode: ExitCode.omiStage.rawValue)
    }

    /// Stage 10: a provider kit; its own test script decides applicability on a live host.
    static func kitStep(_ kit: BundleManifest.Kit, bundleDirectory: String, facts: PlanFacts,
                        options: InstallOptions) -> PlanStep {
        let component = "kit:" + kit.name
        let code = ExitCode.providerKit.rawValue
        if kit.name == "docker", options.skipDockerProvider {
            return PlanStep(component: component, action: .skip, reason: "--skip-docker-provider-install",
                            failureCode: code, stopsOnFailure: false)
        }
        guard kit.testPath != nil else {
            return PlanStep(component: component, action: .skip, reason: "the kit has no -oss-test.sh",
                            failureCode: code, stopsOnFailure: false)
        }
        var argv = ["/bin/sh", bundleDirectory + "/" + kit.path, options.mode == .install ? "--install" : "--upgrade"]
        if options.force { argv.append("--force") }
        if !facts.root.isLive {
            return PlanStep(component: component, action: .liveHostOnly,
                            reason: "provider kits install on the live host only; not run for a --root tree",
                            command: argv, failureCode: code, stopsOnFailure: false)
        }
        return PlanStep(component: component, action: .run, reason: "installed if its test script exits 0",
                        command: argv, failureCode: code, stopsOnFailure: false)
    }
}
