import AgentSupport

#if canImport(Glibc)
import Glibc
#endif

/// Stage 0 (contract §6, improved): before anything changes, every filesystem that holds the root's `/opt`,
/// `/etc/opt` or `/var/opt` (or their nearest existing parent) must have room for the summed installed size of
/// every planned package plus a margin; otherwise the run stops with 52 and changes nothing.
public enum DiskRequirement {
    /// The host paths whose filesystems are checked.
    public static let paths = ["/opt", "/etc/opt", "/var/opt"]
    /// Added to the packages' sizes (package database, logs, maintainer scripts' files).
    public static let margin: Int64 = 10 << 20

    /// The plan's check step for `packageBytes` of planned `packages`.
    static func step(root: HostRoot, packageBytes: Int64, packages: [String]) -> PlanStep {
        let required = packageBytes + margin
        var needs: [PlanStep.DiskNeed] = []
        var seen: [UInt64: Int] = [:]
        for path in paths {
            guard let m = measure(root: root, path) else { continue }
            if let i = seen[m.filesystem] { needs[i].paths.append(path); continue }
            seen[m.filesystem] = needs.count
            needs.append(.init(paths: [path], measured: m.measured, requiredBytes: required, availableBytes: m.available))
        }
        var step = PlanStep(component: "disk", action: .check,
                            reason: "\(packages.joined(separator: ", ")): \(packageBytes) bytes installed + \(margin) bytes margin on each filesystem",
                            failureCode: ExitCode.systemProblem.rawValue)
        step.disk = needs
        return step
    }

    /// The nearest existing directory of `hostPath` under `root`, its filesystem id and free bytes for
    /// unprivileged use (`f_bavail × f_frsize`).
    public static func measure(root: HostRoot, _ hostPath: String) -> (measured: String, filesystem: UInt64, available: Int64)? {
        var host = hostPath
        while !root.isDirectory(host), host != "/" {
            host = String(host[..<(host.lastIndex(of: "/") ?? host.startIndex)])
            if host.isEmpty { host = "/" }
        }
        guard let real = root.resolve(host) else { return nil }
        var st = statvfs()
        guard statvfs(real, &st) == 0 else { return nil }
        var info = stat()
        let device = stat(real, &info) == 0 ? UInt64(info.st_dev) : UInt64(st.f_fsid)
        return (host, device, Int64(st.f_bavail) * Int64(st.f_frsize))
    }

    /// Measures again now: the first filesystem with less than its requirement, as the error to stop with.
    static func verify(_ needs: [PlanStep.DiskNeed], root: HostRoot) -> AgentError? {
        for need in needs {
            let available = measure(root: root, need.measured)?.available ?? 0
            if available < need.requiredBytes {
                return AgentError(.systemProblem,
                                  "not enough free space for the packages on \(need.paths.joined(separator: ", ")) (measured at \(need.measured)): "
                                      + "\(need.requiredBytes) bytes required, \(available) available",
                                  hint: "free space under \(need.measured)")
            }
        }
        return nil
    }
}
