import AgentSupport

/// Facts about a host tree, read from files under its root (and, for the live host only, from a few of the
/// host's own commands when files do not tell). Unknown facts are nil, never guessed.
public struct HostFacts: Sendable {
    /// Distribution identity as found (support is decided against a matrix by `Preflight.evaluate`).
    public struct Distro: Sendable, Equatable {
        /// os-release `ID` (lower case), or the id derived from a legacy release file (`centos`, `rhel`, `sles`…).
        public var id: String?
        /// The release's own version string (`VERSION_ID`, or the number in a legacy file).
        public var version: String?
        /// A human name (`PRETTY_NAME`, or the legacy file's first line).
        public var name: String?
        /// Which file the identity came from (host path).
        public var source: String?
    }

    /// Python interpreters (agent contract §9: python2, else python3).
    public struct Python: Sendable, Equatable {
        /// Version of `python2` on PATH (`2.7.18`, or `2.7` from the executable name), nil when absent.
        public var python2: String?
        /// Version of `python3` on PATH, nil when absent.
        public var python3: String?
        /// What `python` runs: `python2`, `python3`, or nil when there is no `python`.
        public var alias: String?
        /// Host path of the interpreter the installer would use (python2 first).
        public var chosenPath: String?
        /// Whether the chosen interpreter has `ctypes`; nil when unknown.
        public var ctypes: Bool?
    }

    /// A tool the installer needs (tar, sed, gpg, curl): found as an installed package or on PATH.
    public struct Tool: Sendable, Equatable {
        public var name: String
        /// Host path on PATH, nil when not found there.
        public var path: String?
        /// Installed package providing it, nil when none is known.
        public var package: String?
        public var isPresent: Bool { path != nil || package != nil }
    }

    /// Free space of one directory's file system.
    public struct DiskSpace: Sendable, Equatable {
        /// Host path asked about (`/var`).
        public var path: String
        /// Bytes available to unprivileged users; nil when the path could not be examined.
        public var availableBytes: Int64?
    }

    /// An existing agent installation.
    public struct ExistingAgent: Sendable, Equatable {
        /// Installed agent packages and their versions (`omsagent` → `1.14.19-0`).
        public var packages: [String: String]
        /// Onboarded workspaces: directories under `/etc/opt/microsoft/omsagent` named like a workspace id,
        /// and `scom`.
        public var workspaces: [String]
    }

    public let root: HostRoot
    public var osRelease: OSRelease?
    public var distro = Distro()
    /// `uname -m` spelling (`x86_64`, `aarch64`), nil when unknown.
    public var architecture: String?
    /// `X.Y`.
    public var glibc: String?
    /// The system OpenSSL library's version (`3.0.11`, `1.0.2k`).
    public var openssl: String?
    /// The library soname evidence (`libssl.so.3`).
    public var opensslSoname: String?
    /// The flavour chosen by the mapping; nil when none applies.
    public var opensslFlavour: OpenSSLFlavour?
    /// The mapping row chosen, for the tested-range warning.
    public var opensslRule: OpenSSLFlavourRule?
    public var curl: Tool
    /// curl's version (`7.88.1`), nil when unknown.
    public var curlVersion: String?
    public var python = Python()
    /// `rsyslog`, `syslog-ng` or `sysklogd`; nil when none is installed.
    public var syslogDaemon: String?
    public var packageManager: PackageManagerKind?
    /// The installed package database, when the tree has one that could be read.
    public var packages: PackageVersions?
    /// tar, sed, gpg.
    public var tools: [Tool] = []
    /// Evidence of PAM (package version or library name), nil when none found.
    public var pam: String?
    public var disk: [DiskSpace] = []
    /// A held package-manager lock.
    public var lockHolder: PackageLock.Holder?
    public var existingAgent = ExistingAgent(packages: [:], workspaces: [])
    /// True when this process runs as root.
    public var isRoot: Bool

    /// Empty facts for `root` (filled by `gather`).
    public init(root: HostRoot) {
        self.root = root
        self.curl = Tool(name: "curl", path: nil, package: nil)
        self.isRoot = geteuid() == 0
    }

    /// Reads every fact of `root`. For a non-live root nothing is executed except the host's own `rpm --root`
    /// for an rpm database; for the live host a few host commands may run, concurrently, when files do not tell.
    public static func gather(root: HostRoot, runner: ProcessRunner = ProcessRunner()) async -> HostFacts {
        var f = HostFacts(root: root)
        f.readDistro()
        f.packageManager = PackageManagerKind.detect(root: root, osRelease: f.osRelease)
        f.packages = await PackageVersions.read(root: root, kind: f.packageManager, runner: runner)
        let libraries = LibraryIndex(root: root)
        f.readArchitecture(libraries)
        f.readGlibc(libraries)
        f.readOpenSSL(libraries)
        f.readTools()
        f.readPython()
        f.readSyslogAndPAM(libraries)
        f.readDisk()
        f.lockHolder = f.packageManager.flatMap { PackageLock.holder(in: root, files: $0.lockFiles) }
        f.readExistingAgent()
        if root.isLive { await f.probeLiveHost(runner: runner) }
        return f
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
