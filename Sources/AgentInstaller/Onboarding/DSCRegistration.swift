#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// DSC registration of the primary workspace (contract §10.14): the omsconfig metaconfig helper, run as the
/// `omsagent` user, reads `DSC_ENDPOINT` and `AGENT_GUID` from `ETC/conf/omsadmin.conf`, writes the agent id and the
/// pull-mode meta configuration and applies it.
///
/// A failure here does not undo the onboarding: it is a partial result (33 failed, 34 helper missing, 60 no
/// python) that `agent-installer workspace register-dsc` retries alone.
public enum DSCRegistration {
    /// What the DSC step did.
    public struct Outcome: Sendable, Codable, Equatable {
        /// The step's result.
        public enum Status: String, Sendable, Codable {
            case registered
            case failed
            case helperMissing = "helper-missing"
            case pythonMissing = "python-missing"
            /// Not run: a `--root` tree, or no DSC endpoint from the service.
            case skipped
            /// A secondary workspace: DSC belongs to the primary only.
            case notApplicable = "not-applicable"
        }

        public var status: Status
        public var message: String
        /// The program run (argv), when one was run or would run.
        public var command: [String]?

        /// The exit code of a partial result (33, 34, 60); nil when nothing failed.
        public var exitCode: ExitCode? {
            switch status {
            case .failed: .dscFailed
            case .helperMissing: .dscHelperMissing
            case .pythonMissing: .pythonMissing
            case .registered, .skipped, .notApplicable: nil
            }
        }
    }

    static let scripts = "/opt/microsoft/omsconfig/Scripts"
    /// The helper per interpreter: `python3` → `Scripts/python3/…`, `python2` → `Scripts/…` (contract §10.1).
    static let helpers = [("python3", scripts + "/python3/OMS_MetaConfigHelper.py"),
                          ("python2", scripts + "/OMS_MetaConfigHelper.py")]

    /// Registers workspace `ws` (the primary) on the live host; a `--root` tree reports `skipped`.
    public static func execute(workspace ws: String, context: InstallContext) async -> Outcome {
        guard context.root.isLive else {
            return Outcome(status: .skipped, message: "DSC registration skipped: not the live host (--root); "
                           + "on the host run `agent-installer workspace register-dsc`")
        }
        return await run(workspace: ws, context: context)
    }

    /// The step itself, on any root (`execute` restricts it to the live host): checks, then the helper as
    /// `omsagent` through `setpriv` (numeric ids from the root's user database), else `runuser`; directly when
    /// the caller already is `omsagent`.
    static func run(workspace ws: String, context: InstallContext) async -> Outcome {
        let root = context.root
        let conf = root.readText(AgentPaths.Workspace(ws).omsadminConf).flatMap(OmsAdminConf.parse)
        guard let endpoint = conf?.dscEndpoint, !endpoint.isEmpty else {
            return Outcome(status: .skipped,
                           message: "DSC registration skipped: omsadmin.conf has no DSC endpoint (re-onboard to get one)")
        }
        let present = helpers.filter { root.isRegularFile($0.1) }
        guard !present.isEmpty else {
            return Outcome(status: .helperMissing,
                           message: "onboarded; DSC registration skipped: helper missing (\(helpers[0].1); is omsconfig installed?)")
        }
        guard let (python, helper) = present.lazy.compactMap({ p in root.which(p.0).map { ($0, p.1) } }).first,
              let pythonPath = root.resolve(python), let helperPath = root.resolve(helper)
        else {
            return Outcome(status: .pythonMissing,
                           message: "onboarded; DSC registration skipped: no python3 or python2 for the DSC helper")
        }
        let users = UserDatabase(root: root)
        guard let user = users.user(named: AgentPaths.ownerUser) else {
            return Outcome(status: .failed, message: "onboarded, DSC registration failed: no omsagent user")
        }
        let groups = users.groups.filter { $0.members.contains(user.name) && $0.gid != user.gid }.map { String($0.gid) }
        let launcher: [String]
        if geteuid() == user.uid {
            launcher = []  // already omsagent
        } else if let setpriv = HostRoot.live.which("setpriv") {
            launcher = [setpriv, "--reuid", String(user.uid), "--regid", String(user.gid)]
                + (groups.isEmpty ? ["--clear-groups"] : ["--groups", groups.joined(separator: ",")]) + ["--"]
        } else if let runuser = HostRoot.live.which("runuser") {
            launcher = [runuser, "-u", user.name, "--"]
        } else {
            return Outcome(status: .failed,
                           message: "onboarded, DSC registration failed: neither setpriv nor runuser to run the helper as omsagent")
        }
        let argv = launcher + [pythonPath, helperPath]
        let env = ["HOME": user.home, "USER": user.name, "LOGNAME": user.name]
        let out: ProcessOutput
        do { out = try await context.runner.run(argv, environment: env, workingDirectory: "/", timeout: .seconds(600)) } catch {
            return Outcome(status: .failed, message: "onboarded, DSC registration failed: \(error.message)", command: argv)
        }
        guard out.succeeded else {
            let last = (out.standardError + out.standardOutput).split(separator: "\n").last.map(String.init) ?? ""
            let why = out.timedOut ? "timed out" : "exited with \(out.status)"
            return Outcome(status: .failed, message: "onboarded, DSC registration failed: the helper \(why)"
                           + (last.isEmpty ? "" : ": \(last)") + "; retry with `agent-installer workspace register-dsc`",
                           command: argv)
        }
        return Outcome(status: .registered, message: "registered with DSC", command: argv)
    }
}
