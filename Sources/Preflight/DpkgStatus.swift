import AgentSupport

/// The package records of a dpkg database (`var/lib/dpkg/status`), parsed without running dpkg.
///
/// Reusable by every layer that needs installed versions or sizes. Only records whose `Status` ends in
/// `installed` count as installed; `config-files` (removed, configuration left) and half-installed states do not.
public struct DpkgStatus: Sendable, Equatable {
    /// One stanza of the status file.
    public struct Package: Sendable, Equatable {
        /// `Package`.
        public var name: String
        /// `Version` as dpkg writes it (`[epoch:]upstream[-revision]`).
        public var version: String
        /// `Architecture` (`amd64`, `all`…), empty when absent.
        public var architecture: String
        /// `Status`, e.g. `install ok installed`.
        public var status: String
        /// `Installed-Size` in KiB, nil when absent.
        public var installedSizeKiB: Int?
        /// `Provides` as written, empty when absent.
        public var provides: String

        /// True when dpkg considers the package installed (third status word `installed`).
        public var isInstalled: Bool { status.split(separator: " ").last == "installed" }

        /// The upstream part of `version`: no epoch, no Debian revision (`1:2.36-9+deb12u4` → `2.36`).
        public var upstreamVersion: String { DpkgStatus.upstream(version) }
    }

    /// Every stanza, in file order.
    public var packages: [Package]

    /// The database of a host tree (`var/lib/dpkg/status`); nil when the tree has none.
    public init?(root: HostRoot) {
        guard let bytes = root.readFile("/var/lib/dpkg/status") else { return nil }
        self.init(bytes: bytes)
    }

    /// Parses the bytes of a status file. Continuation lines and unknown fields are skipped.
    public init(bytes: [UInt8]) {
        var packages: [Package] = []
        var current = Package(name: "", version: "", architecture: "", status: "", installedSizeKiB: nil, provides: "")
        func flush() {
            if !current.name.isEmpty { packages.append(current) }
            current = Package(name: "", version: "", architecture: "", status: "", installedSizeKiB: nil, provides: "")
        }
        bytes.withUnsafeBufferPointer { buf in
            var start = 0
            let n = buf.count
            while start <= n {
                var end = start
                while end < n && buf[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > start && buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd == start {
                    flush()
                } else if buf[start] != 0x20 && buf[start] != 0x09 {
                    var colon = start
                    while colon < lineEnd && buf[colon] != 0x3A { colon += 1 }
                    if colon < lineEnd, let field = Self.field(buf, start, colon) {
                        var v = colon + 1
                        while v < lineEnd && (buf[v] == 0x20 || buf[v] == 0x09) { v += 1 }
                        var e = lineEnd
                        while e > v && (buf[e - 1] == 0x20 || buf[e - 1] == 0x09) { e -= 1 }
                        let value = String(decoding: UnsafeBufferPointer(rebasing: buf[v..<e]), as: UTF8.self)
                        switch field {
                        case .package: current.name = value
                        case .version: current.version = value
                        case .architecture: current.architecture = value
                        case .status: current.status = value
                        case .installedSize: current.installedSizeKiB = Int(value)
                        case .provides: current.provides = value
                        }
                    }
                }
                start = end + 1
            }
        }
        flush()
        self.packages = packages
    }

    /// The installed package named `name`, nil when absent or not installed.
    public func installed(_ name: String) -> Package? {
        packages.first { $0.name == name && $0.isInstalled }
    }

    /// Installed packages whose name satisfies `predicate`, in file order.
    public func installed(where predicate: (String) -> Bool) -> [Package] {
        packages.filter { $0.isInstalled && predicate($0.name) }
    }

    /// The upstream part of a Debian version string.
    public static func upstream(_ version: String) -> String {
        var v = Substring(version)
        if let colon = v.firstIndex(of: ":") { v = v[v.index(after: colon)...] }
        if let dash = v.lastIndex(of: "-") { v = v[..<dash] }
        return String(v)
    }

    private enum Field { case package, version, architecture, status, installedSize, provides }

    private static func field(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Field? {
        // Compare case-sensitively as dpkg writes them; only the fields kept are recognised.
        let len = e - s
        func eq(_ name: StaticString) -> Bool {
            guard name.utf8CodeUnitCount == len else { return false }
            let p = name.utf8Start
            for i in 0..<len where buf[s + i] != p[i] { return false }
            return true
        }
        switch len {
        case 7: return eq("Package") ? .package : eq("Version") ? .version : nil
        case 6: return eq("Status") ? .status : nil
        case 12: return eq("Architecture") ? .architecture : nil
        case 14: return eq("Installed-Size") ? .installedSize : nil
        case 8: return eq("Provides") ? .provides : nil
        default: return nil
        }
    }
}
