import AgentSupport

/// A workspace's agent service (contract §10.13): whether it runs, and how it is registered with the init system.
public enum WorkspaceService {
    /// The init system that runs the agent.
    public enum Manager: String, Sendable, Codable {
        /// `/run/systemd/system` exists: a unit `omsagent-<ws>.service`, `daemon-reload`, `enable`.
        case systemd
        /// No systemd: `/etc/init.d/omsagent-<ws>` from `omsagent.ulinux`, registered with `update-rc.d`,
        /// `chkconfig --add` or `install_initd`.
        case sysv
    }

    /// True when `OPT/bin/service_control is-running <ws>` under the root exits with 1 (upstream: 1 = running).
    ///
    /// The root's own `service_control` is asked: on the live host that is the agent's; in a `--root` tree it is
    /// whatever the tree holds (the fixture packages' stand-in answers "not running"; tests place a script there).
    public static func isRunning(_ ws: String, context: InstallContext) async -> Bool {
        let root = context.root
        guard root.isExecutable(AgentPaths.serviceControl), let program = root.resolve(AgentPaths.serviceControl),
              let out = try? await context.runner.run([program, "is-running", ws], timeout: .seconds(30))
        else { return false }
        return out.status == 1 && !out.timedOut
    }

    /// The init system under `root`: systemd when `/run/systemd/system` exists. A `--root` tree has no running
    /// init, so there systemd's unit directories (`/usr/lib/systemd/system`, `/lib/systemd/system`) or
    /// `/bin/systemctl` count as systemd too; a live host without `/run/systemd/system` is SysV.
    public static func manager(root: HostRoot) -> Manager {
        if HostCommands.systemdRunning(in: root) { return .systemd }
        if root.isLive { return .sysv }
        let systemdTree = root.isDirectory("/usr/lib/systemd/system") || root.isDirectory("/lib/systemd/system")
            || root.exists("/bin/systemctl")
        return systemdTree ? .systemd : .sysv
    }

    /// The SysV script path of workspace `ws`.
    public static func initScript(_ ws: String) -> String { "/etc/init.d/omsagent-\(ws)" }

    /// The command that registers a SysV script with the boot sequence: `update-rc.d NAME defaults`, else
    /// `chkconfig --add NAME`, else `install_initd PATH` (whichever the root has); nil when none exists.
    public static func sysvRegistration(root: HostRoot, workspace ws: String) -> [String]? {
        let name = "omsagent-\(ws)"
        if let p = root.which("update-rc.d") { return [p, name, "defaults"] }
        if let p = root.which("chkconfig") { return [p, "--add", name] }
        if let p = root.which("install_initd") ?? (root.isExecutable("/usr/lib/lsb/install_initd")
            ? "/usr/lib/lsb/install_initd" : nil) {
            return [p, initScript(ws)]
        }
        return nil
    }
}
