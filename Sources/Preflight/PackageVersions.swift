import AgentSupport

/// Installed packages of a host tree (name → upstream version and architecture), from its dpkg status file or,
/// for rpm hosts, its rpm database queried with the host's own `rpm --root`.
public struct PackageVersions: Sendable, Equatable {
    /// One installed package.
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// Upstream version without epoch or release (`2.36`, `1.0.2k`).
        public var version: String
        public var architecture: String
    }

    /// Where the list came from: `dpkg` or `rpm`.
    public var source: PackageManagerKind
    /// Installed packages in database order.
    public var entries: [Entry]

    public init(source: PackageManagerKind, entries: [Entry]) {
        self.source = source
        self.entries = entries
    }

    /// The installed package named exactly `name`.
    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The first installed package among `names` (in the order given).
    public func first(_ names: [String]) -> Entry? {
        for n in names { if let e = entry(n) { return e } }
        return nil
    }

    /// Installed packages whose name satisfies `predicate`.
    public func all(where predicate: (String) -> Bool) -> [Entry] { entries.filter { predicate($0.name) } }

    /// Reads the database of `root` for package manager `kind`; nil when there is none.
    static func read(root: HostRoot, kind: PackageManagerKind?, runner: ProcessRunner) async -> PackageVersions? {
        if kind != .rpm, let status = DpkgStatus(root: root) {
            let entries = status.packages.filter(\.isInstalled).map {
                Entry(name: $0.name, version: $0.upstreamVersion, architecture: $0.architecture)
            }
            return PackageVersions(source: .dpkg, entries: entries)
        }
        guard kind == .rpm else { return nil }
        return await readRPM(root: root, runner: runner)
    }

    /// `rpm --root <root> -qa` with the host's rpm (never one from the tree), when the tree has an rpm database.
    static func readRPM(root: HostRoot, runner: ProcessRunner) async -> PackageVersions? {
        let dbFiles = ["Packages", "rpmdb.sqlite", "Packages.db"]
        guard let dbpath = ["/var/lib/rpm", "/usr/lib/sysimage/rpm"].first(where: { dir in
            dbFiles.contains { FileIO.kind(root.lexical(dir + "/" + $0), followLinks: false) == .regular }
        }) else { return nil }
        guard let rpm = ["/usr/bin/rpm", "/bin/rpm"].first(where: { FileIO.kind($0, followLinks: true) == .regular })
        else { return nil }
        guard let out = try? await runner.run(
            [rpm, "--root", root.path, "--dbpath", dbpath, "-qa", "--qf", "%{NAME}\\t%{VERSION}\\t%{ARCH}\\n"],
            timeout: .seconds(30)), out.succeeded
        else { return nil }
        let entries = out.standardOutput.split(separator: "\n").compactMap { line -> Entry? in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3 else { return nil }
            return Entry(name: f[0], version: f[1], architecture: f[2])
        }
        return PackageVersions(source: .rpm, entries: entries)
    }
}
