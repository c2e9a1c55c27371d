import AgentSupport

/// The live host's commands that follow a committed configuration change (`systemctl restart rsyslog`,
/// `service_control restart <ws>`). `systemctl` runs only while systemd is the running init, tested like
/// `sd_booted()` (`/run/systemd/system` is a directory): in a chroot, an image being built or a container without
/// systemd it would fail or reach the wrong system, so it is reported instead. A command that cannot be started or
/// fails is a warning, never an error: the files it follows are already in place.
public enum HostCommands {
    /// True when systemd manages the system that `root` describes.
    public static func systemdRunning(in root: HostRoot) -> Bool {
        root.isDirectory("/run/systemd/system")
    }

    /// Splits `commands` into those to run and those only to report: nothing runs for a `--root` tree (`live` false),
    /// and `systemctl` does not run without systemd.
    public static func partition(_ commands: [[String]], live: Bool, systemd: Bool) -> (run: [[String]], skipped: [[String]]) {
        guard live else { return ([], commands) }
        var run: [[String]] = []
        var skipped: [[String]] = []
        for argv in commands {
            if argv.first == "systemctl" && !systemd { skipped.append(argv) } else { run.append(argv) }
        }
        return (run, skipped)
    }

    /// Runs on the live host what `partition` allows; returns one warning per command skipped for want of systemd,
    /// not started, or ended with a non-zero status. Runs nothing for a `--root` tree.
    public static func run(_ commands: [[String]], root: HostRoot, runner: ProcessRunner,
                           timeout: Duration = .seconds(120)) async -> [String] {
        let (toRun, skipped) = partition(commands, live: root.isLive, systemd: systemdRunning(in: root))
        var warnings: [String] = []
        if root.isLive {
            for argv in skipped {
                warnings.append("systemd is not running (no /run/systemd/system): not run: \(argv.joined(separator: " "))")
            }
        }
        for argv in toRun {
            do throws(AgentError) {
                let out = try await runner.run(argv, timeout: timeout)
                if !out.succeeded { warnings.append("\(argv.joined(separator: " ")) exited with \(out.status)") }
            } catch {
                warnings.append("could not run \(argv.joined(separator: " ")): \(error.message)")
            }
        }
        return warnings
    }
}
