import AgentSupport
import Preflight

/// The package manager's command lines (agent contract §6). With a `--root` tree every command carries the root,
/// chrootless scripts and a log inside the root (dpkg) or the root and its database path (rpm), so the host's
/// package database and log are never touched.
public struct PackageCommand: Sendable, Equatable {
    /// The target root.
    public var root: HostRoot
    /// The package manager.
    public var manager: PackageManagerKind
    /// The plan's options (force, noDigest).
    public var options: InstallOptions

    /// Creates the command builder.
    public init(root: HostRoot, manager: PackageManagerKind, options: InstallOptions) {
        self.root = root
        self.manager = manager
        self.options = options
    }

    /// The leading arguments that select the root.
    public var prefix: [String] {
        switch manager {
        case .dpkg:
            root.isLive ? ["dpkg"]
                : ["dpkg", "--root", root.path, "--force-script-chrootless", "--log=\(root.path)/var/log/dpkg.log"]
        case .rpm:
            root.isLive ? ["rpm"] : ["rpm", "--root", root.path, "--dbpath", "/var/lib/rpm"]
        }
    }

    /// Add or upgrade one package file.
    public func add(_ file: String, upgrade: Bool) -> [String] {
        switch manager {
        case .dpkg:
            return prefix + ["--force-confold", "--force-confdef", "--install"]
                + (options.force ? [] : ["--refuse-downgrade"]) + [file]
        case .rpm:
            let digest = options.noDigest ? ["--nodigest", "--nofiledigest"] : []
            if upgrade { return prefix + ["--upgrade"] + (options.force ? ["--force"] : []) + digest + [file] }
            return prefix + ["-ivh"] + digest + (options.force ? ["--force"] : []) + [file]
        }
    }

    /// Remove (`purge` false) or purge packages; rpm erases either way. `ignoringDependents` removes them even
    /// though installed packages depend on them (dpkg `--force-depends`, rpm `--nodeps`): the retry path adds
    /// them again right after.
    public func remove(_ names: [String], purge: Bool, ignoringDependents: Bool = false) -> [String] {
        switch manager {
        case .dpkg: prefix + (ignoringDependents ? ["--force-depends"] : []) + [purge ? "--purge" : "--remove"] + names
        case .rpm: prefix + ["--erase"] + (ignoringDependents ? ["--nodeps"] : []) + names
        }
    }
}
