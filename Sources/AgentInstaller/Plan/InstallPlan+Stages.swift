import AgentSupport
import Preflight

/// The non-package stages of §7: OMI reload (2), the retry path (4), Cylance (6), DSC housekeeping (9), provider
/// kits (10) and auoms (11). Programs on the host run only for the live root; for a `--root` tree they are shown as
/// `live-host-only` steps.
extension InstallPlan {
    /// The OMI control tool.
    static let omiControl = "/opt/omi/bin/service_control"

    /// A program step: `run` on the live host, `live-host-only` for a `--root` tree.
    static func program(_ component: String, _ argv: [String], reason: String, root: HostRoot, failureCode: Int32,
                        stage: Int, stopsOnFailure: Bool = true) -> PlanStep {
        if root.isLive {
            return PlanStep(component: component, action: .run, reason: reason, command: argv, failureCode: failureCode,
                            stopsOnFailure: stopsOnFailure).inStage(stage)
        }
        return PlanStep(component: component, action: .liveHostOnly,
                        reason: "would run \(argv.joined(separator: " ")) on a live host; programs in a --root tree are not executed",
                        command: argv, failureCode: failureCode, stopsOnFailure: stopsOnFailure).inStage(stage)
    }

    /// Stage 2: `service_control reload` after OMI changed (2 or 3 → 52, else 19).
    static func reloadStep(after omi: PlanStep, root: HostRoot) -> PlanStep {
        if !omi.changesPackages {
            return PlanStep(component: "omi-reload", action: .skip, reason: "OMI unchanged",
                            failureCode: ExitCode.omiStage.rawValue).inStage(2)
        }
        var step = program("omi-reload", [omiControl, "reload"], reason: "OMI was \(omi.action.rawValue)ed", root: root,
                           failureCode: ExitCode.omiStage.rawValue, stage: 2)
        step.systemProblemStatuses = [2, 3]
        return step
    }

    /// Stage 4: remove scx and omi (scx's uninstaller on a live host when present, else package by package), add
    /// OMI (2 → 52, else 19), reload it (2/3 → 52, else 19), delete a stale scxadmin, add SCX (→ 20).
    static func retryPath(facts: PlanFacts, command: PackageCommand, omi: PlanStep, scx: PlanStep,
                          omiFile: String, scxFile: String) -> [PlanStep] {
        let omiCode = ExitCode.omiStage.rawValue, scxCode = ExitCode.scxStage.rawValue
        let uninstall = PlanFileEdits.scxUninstall
        var steps: [PlanStep] = []
        // Its status is ignored (as upstream): the OMI step after it decides.
        var first = program("scx-uninstall", [uninstall, "R", "force"], reason: "scx's own uninstaller, when present",
                            root: facts.root, failureCode: 0, stage: 4, stopsOnFailure: false)
        if facts.root.isLive {
            first.onlyIf = .init(path: uninstall, exists: true)
        } else {
            first.reason += "; here the packages are removed one by one"
        }
        steps.append(first)
        for name in PlanFileEdits.retryRemovals {
            var step = PlanStep(component: name, action: .remove, installed: facts.installed[name],
                                reason: "removed if installed, even with omsagent depending on it; a failure is reported and ignored",
                                command: command.remove([name], purge: name == "omi", ignoringDependents: true),
                                failureCode: omiCode,
                                stopsOnFailure: false).inStage(4)
            if facts.root.isLive { step.onlyIf = .init(path: uninstall, exists: false) }
            steps.append(step)
        }
        var addOMI = PlanStep(component: "omi", action: .install, installed: facts.installed["omi"], bundled: omi.bundled,
                              reason: "retry: OMI added again", command: command.add(omiFile, upgrade: false),
                              failureCode: omiCode).inStage(4)
        addOMI.systemProblemStatuses = [2]
        steps.append(addOMI)
        var reload = program("omi-reload", [omiControl, "reload"], reason: "retry: OMI reloaded", root: facts.root,
                             failureCode: omiCode, stage: 4)
        reload.systemProblemStatuses = [2, 3]
        steps.append(reload)
        steps.append(.file("scx", .removeFile, path: PlanFileEdits.scxadmin, diff: nil,
                           reason: "a stale scxadmin is deleted if present", failureCode: scxCode, stage: 4))
        steps.append(PlanStep(component: "scx", action: .install, installed: facts.installed["scx"], bundled: scx.bundled,
                              reason: "retry: SCX added again", command: command.add(scxFile, upgrade: false),
                              failureCode: scxCode).inStage(4))
        return steps
    }

    /// Stage 6: with Cylance installed, jemalloc's `LD_PRELOAD=` in `ETC/omsagent.env` is commented out.
    static func cylanceStep(agent: PlanStep, root: HostRoot) -> PlanStep? {
        guard let marker = PlanFileEdits.cylanceMarkers.first(where: { root.exists($0) }) else { return nil }
        let path = PlanFileEdits.omsagentEnv
        let old = root.readText(path)
        let diff = old.flatMap { PlanFileEdits.diff(path: path, old: $0, new: PlanFileEdits.commentOutPreload($0)) }
        guard diff != nil || agent.changesPackages else { return nil }
        return .file("omsagent", .editFile, path: path, diff: diff,
                     reason: "Cylance found (\(marker)): jemalloc's LD_PRELOAD= is commented out"
                         + (old == nil ? " once the omsagent package has written the file" : ""),
                     failureCode: agent.failureCode, stage: 6, edit: .commentOutPreload)
    }

    /// Stage 9 (upgrade): stale DSC plugin files, the consistency invoker's fluentd source, its cron job (§10.12)
    /// when absent, and an OMI restart.
    static func dscHousekeeping(root: HostRoot) -> [PlanStep] {
        let code = ExitCode.omsconfigStage.rawValue
        var plugins = PlanStep(component: "dsc-housekeeping", action: .removeFile,
                               reason: "stale DSC plugin files are deleted if present", failureCode: code).inStage(9)
        plugins.paths = PlanFileEdits.staleDSCPlugins
        let present = PlanFileEdits.staleDSCPlugins.filter { root.exists($0) }
        if !present.isEmpty { plugins.diff = present.map { "--- a\($0)\n+++ /dev/null" }.joined(separator: "\n") }
        let conf = PlanFileEdits.consistencyInvokerConf
        let invoker: PlanStep = .file("dsc-housekeeping", .removeFile, path: conf,
                                      diff: root.readText(conf).map { PlanFileEdits.removalDiff(path: conf, old: $0) },
                                      reason: "the consistency invoker runs from cron, not fluentd (deleted if present)",
                                      failureCode: code, stage: 9)
        let cron = PlanFileEdits.consistencyInvokerCron
        let content = PlanFileEdits.consistencyInvokerCronLine(minute: Int.random(in: 2...14))
        var create: PlanStep = .file("dsc-housekeeping", .createFile, path: cron,
                                     diff: PlanFileEdits.creationDiff(path: cron, new: content),
                                     reason: "the DSC consistency cron job, created if absent", failureCode: code, stage: 9)
        create.content = content
        let restart = program("omi-restart", [omiControl, "restart"], reason: "OMI restarted after the DSC update",
                              root: root, failureCode: 0, stage: 9, stopsOnFailure: false)
        return [plugins, invoker, create, restart]
    }

    /// Stage 10: a provider kit, run when its own test script exits 0; a failure is remembered as 21.
    static func kitStep(_ kit: BundleManifest.Kit, bundleDirectory: String, facts: PlanFacts,
                        options: InstallOptions) -> PlanStep {
        let component = "kit:" + kit.name
        let code = ExitCode.providerKit.rawValue
        if kit.name == "docker", options.skipDockerProvider {
            return PlanStep(component: component, action: .skip, reason: "--skip-docker-provider-install",
                            failureCode: code, stopsOnFailure: false).inStage(10)
        }
        guard let test = kit.testPath else {
            return PlanStep(component: component, action: .skip, reason: "the kit has no -oss-test.sh",
                            failureCode: code, stopsOnFailure: false).inStage(10)
        }
        var argv = ["/bin/sh", bundleDirectory + "/" + kit.path, options.mode == .install ? "--install" : "--upgrade"]
        if options.force { argv.append("--force") }
        if options.restartDependencies { argv.append("--restart-deps") }
        var step = program(component, argv, reason: "installed if its test script exits 0", root: facts.root,
                           failureCode: code, stage: 10, stopsOnFailure: false)
        step.test = ["/bin/sh", bundleDirectory + "/" + test]
        return step
    }

    /// Stage 11: the bundled auoms kit, run when `auoms-bundle-test.sh` exits 0; a failure is remembered as 22.
    static func auomsStep(_ kit: BundleManifest.Kit, bundleDirectory: String, facts: PlanFacts,
                          options: InstallOptions) -> PlanStep {
        let code = ExitCode.auoms.rawValue
        guard let test = kit.testPath else {
            return PlanStep(component: "auoms", action: .skip, reason: "the bundle has no auoms-bundle-test.sh",
                            failureCode: code, stopsOnFailure: false).inStage(11)
        }
        var argv = ["/bin/sh", bundleDirectory + "/" + kit.path, options.mode == .install ? "--install" : "--upgrade"]
        if options.noDigest { argv.append("--noDigest") }
        if options.force { argv.append("--force") }
        if options.restartDependencies { argv.append("--restart-deps") }
        var step = program("auoms", argv, reason: "installed if its test script exits 0", root: facts.root,
                           failureCode: code, stage: 11, stopsOnFailure: false)
        step.test = ["/bin/sh", bundleDirectory + "/" + test]
        return step
    }
}
