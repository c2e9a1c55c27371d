import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The host commands that follow onboarding or workspace removal: `systemctl` only under a running systemd, nothing
/// for a `--root` tree, and a command that cannot run is a warning (it used to end a finished install with 52).
@Suite struct HostCommandsTests {
    let commands = [["systemctl", "restart", "rsyslog"], ["/opt/microsoft/omsagent/bin/service_control", "restart", "ws"]]

    @Test("without systemd (a chroot), systemctl is reported, not run; the agent's own tool still runs")
    func partitionWithoutSystemd() {
        let (run, skipped) = HostCommands.partition(commands, live: true, systemd: false)
        #expect(run == [commands[1]])
        #expect(skipped == [commands[0]])
    }

    @Test("under systemd everything runs; for a --root tree nothing does")
    func partitionLiveAndTree() {
        #expect(HostCommands.partition(commands, live: true, systemd: true).run == commands)
        let tree = HostCommands.partition(commands, live: false, systemd: true)
        #expect(tree.run.isEmpty && tree.skipped == commands)
    }

    @Test("systemd counts as running only when <root>/run/systemd/system is a directory")
    func systemdDetection() throws {
        let dir = TemporaryDirectory(prefix: "host-commands")
        try dir.mkdir("plain/run")
        try dir.mkdir("booted/run/systemd/system")
        try dir.mkdir("file/run/systemd")
        try dir.write("file/run/systemd/system", "")
        #expect(!HostCommands.systemdRunning(in: try HostRoot(dir.url("plain"))))
        #expect(HostCommands.systemdRunning(in: try HostRoot(dir.url("booted"))))
        #expect(!HostCommands.systemdRunning(in: try HostRoot(dir.url("file"))))
    }

    @Test("on the live host a missing program and a failing one become warnings; the rest still run")
    func failuresAreWarnings() async throws {
        let dir = TemporaryDirectory(prefix: "host-commands")
        let marker = dir.url("ran")
        let warnings = await HostCommands.run(
            [["/nonexistent/agent-installer-tool", "restart"], ["sh", "-c", "exit 3"], ["touch", marker]],
            root: try HostRoot("/"), runner: ProcessRunner())
        #expect(warnings.count == 2)
        #expect(warnings.first?.hasPrefix("could not run /nonexistent/agent-installer-tool restart") == true)
        #expect(warnings.last == "sh -c exit 3 exited with 3")
        #expect(dir.exists("ran"))
    }

    @Test("for a --root tree nothing runs and nothing is warned")
    func treeRunsNothing() async throws {
        let dir = TemporaryDirectory(prefix: "host-commands")
        try dir.mkdir("root")
        let warnings = await HostCommands.run([["touch", dir.url("ran")], ["systemctl", "restart", "rsyslog"]],
                                              root: try HostRoot(dir.url("root")), runner: ProcessRunner())
        #expect(warnings.isEmpty)
        #expect(!dir.exists("ran"))
    }
}
