/// What a bundle's payload holds (contract §2): the OpenSSL flavour directories with their packages, the
/// provider kits and the bundled extras. Built from the payload's entry names only, so it is the same for a
/// listing and for an extracted tree.
public struct BundleManifest: Sendable, Equatable, Codable {
    /// One package file in a flavour directory.
    public struct Package: Sendable, Equatable, Codable {
        /// The dpkg/rpm package name (`omi`, `scx`, `omsagent`, `omsconfig`).
        public var name: String
        /// `version-release` as in the file name (`1.6.10-2`).
        public var version: String
        /// `deb` or `rpm`.
        public var format: String
        /// The flavour directory (`100`, `110`, `300`).
        public var flavour: String
        /// The path inside the payload (`110/omi-1.6.10-2.ulinux.s.x64.deb`).
        public var path: String
        /// The file name without the `.deb`/`.rpm` extension (the header's `*_PKG` value).
        public var baseName: String
    }

    /// A provider kit in `oss-kits/` with its applicability test, if shipped.
    public struct Kit: Sendable, Equatable, Codable {
        /// The kit's short name (`docker`, `apache`, `mysql`).
        public var name: String
        public var path: String
        public var testPath: String?
    }

    /// The OpenSSL flavour directories present, sorted (`100`, `110`, `300`).
    public var flavours: [String]
    /// Every package file, sorted by flavour then path.
    public var packages: [Package]
    public var kits: [Kit]
    /// Other shipped programs, such as `bundles/auoms-*.sh` and its test script.
    public var extras: [String]
    /// Base names that are not present in every flavour directory (should be empty).
    public var inconsistentBaseNames: [String]

    /// The flavour directory names the contract knows, in order.
    public static let knownFlavours = ["100", "110", "300"]

    /// Builds the manifest from payload entry paths (directories may end in `/`; a leading `./` is ignored).
    public init(entryPaths: [String]) {
        let paths = entryPaths.map(Self.normalize).filter { !$0.isEmpty }
        var flavourSet = Set<String>()
        var packages: [Package] = []
        var kitFiles: [String] = []
        var testFiles: [String: String] = [:]
        var extras: [String] = []
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard let top = parts.first else { continue }
            if Self.knownFlavours.contains(top) {
                flavourSet.insert(top)
                if parts.count == 2, let package = Self.package(file: parts[1], flavour: top, path: path) {
                    packages.append(package)
                }
            } else if top == "oss-kits", parts.count == 2, parts[1].hasSuffix(".sh") {
                if parts[1].hasSuffix("-oss-test.sh") {
                    testFiles[String(parts[1].dropLast("-oss-test.sh".count))] = path
                } else if parts[1].contains("-cimprov-") {
                    kitFiles.append(path)
                } else {
                    extras.append(path)
                }
            } else if top == "bundles", parts.count >= 2, parts.last!.hasSuffix(".sh") {
                extras.append(path)
            }
        }
        flavours = flavourSet.sorted()
        self.packages = packages.sorted { ($0.flavour, $0.path) < ($1.flavour, $1.path) }
        kits = kitFiles.sorted().map { path in
            let file = path.split(separator: "/").last.map(String.init) ?? path
            let name = String(file[..<file.firstRange(of: "-cimprov-")!.lowerBound])
            return Kit(name: name, path: path, testPath: testFiles[name])
        }
        self.extras = extras.sorted()
        var presence: [String: Set<String>] = [:]
        for p in packages { presence["\(p.baseName).\(p.format)", default: []].insert(p.flavour) }
        inconsistentBaseNames = presence.filter { $0.value.count != flavourSet.count }.keys.sorted()
    }

    /// The bundled auoms kit in `bundles/` (`auoms-*.sh`) with `auoms-bundle-test.sh`, when shipped
    /// (`bundles/v1/`, auoms 1.x for SLES 11, is not used).
    public var auoms: Kit? {
        let top = extras.filter { $0.split(separator: "/").count == 2 && $0.hasPrefix("bundles/auoms-") }
        guard let kit = top.first(where: { !$0.hasSuffix("-bundle-test.sh") }) else { return nil }
        return Kit(name: "auoms", path: kit, testPath: top.first { $0.hasSuffix("/auoms-bundle-test.sh") })
    }

    /// The packages of one flavour in one format (`deb` or `rpm`).
    public func packages(flavour: String, format: String) -> [Package] {
        packages.filter { $0.flavour == flavour && $0.format == format }
    }

    /// The distinct (name, version, format) triples, whatever the flavour.
    public var distinctPackages: [Package] {
        var seen = Set<String>()
        return packages.filter { seen.insert("\($0.name) \($0.version) \($0.format)").inserted }
            .sorted { ($0.name, $0.format) < ($1.name, $1.format) }
    }

    /// `omi-1.6.10-2.ulinux.s.x64.deb` → omi, 1.6.10-2, deb; nil for other files.
    static func package(file: String, flavour: String, path: String) -> Package? {
        let format: String
        if file.hasSuffix(".deb") { format = "deb" } else if file.hasSuffix(".rpm") { format = "rpm" } else { return nil }
        let base = String(file.dropLast(4))
        // The name ends at the first "-" followed by a digit.
        let chars = Array(base)
        guard let split = chars.indices.first(where: { i in
            chars[i] == "-" && i + 1 < chars.count && chars[i + 1].isNumber
        }) else { return nil }
        let name = String(chars[..<split])
        let rest = String(chars[(split + 1)...])
        // version-release runs up to the first "." that follows the "-" of the release.
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        let afterDash = rest[rest.index(after: dash)...]
        let releaseEnd = afterDash.firstIndex(where: { !$0.isNumber }) ?? afterDash.endIndex
        let version = String(rest[..<releaseEnd])
        guard !name.isEmpty, version.count > 2 else { return nil }
        return Package(name: name, version: version, format: format, flavour: flavour, path: path, baseName: base)
    }

    static func normalize(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}
