import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension HostFacts {
    /// ELF `e_machine` values → `uname -m` names.
    static let elfMachines: [UInt16: String] = [62: "x86_64", 183: "aarch64", 3: "i686", 40: "arm", 21: "ppc64le",
                                                22: "s390x"]
    /// Debian architecture names → `uname -m` names.
    static let debianArchitectures = ["amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "armhf": "arm",
                                      "ppc64el": "ppc64le", "s390x": "s390x"]
    /// Dynamic loader names → architecture.
    static let loaders = ["ld-linux-x86-64.so.2": "x86_64", "ld-linux-aarch64.so.1": "aarch64", "ld-musl-x86_64.so.1": "x86_64",
                          "ld-musl-aarch64.so.1": "aarch64"]

    /// Live host: `uname`; a tree: the ELF header of its C library, else its libc package, else its loader.
    mutating func readArchitecture(_ libs: LibraryIndex) {
        if root.isLive {
            var u = utsname()
            if uname(&u) == 0 {
                architecture = withUnsafePointer(to: u.machine) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
                }
                return
            }
        }
        for path in libs.paths(named: "libc.so.6") {
            guard let real = root.resolve(path), let head = FileIO.read(real, limit: 1 << 26), head.count >= 20,
                  head[0] == 0x7F, head[1] == 0x45, head[2] == 0x4C, head[3] == 0x46
            else { continue }
            let machine = head[5] == 1 ? UInt16(head[18]) | UInt16(head[19]) << 8 : UInt16(head[18]) << 8 | UInt16(head[19])
            if let name = Self.elfMachines[machine] { architecture = name; return }
        }
        if let arch = packages?.first(["libc6", "glibc"])?.architecture, !arch.isEmpty {
            architecture = Self.debianArchitectures[arch] ?? arch
            return
        }
        for (loader, arch) in Self.loaders where libs.contains(loader) { architecture = arch; return }
    }

    /// The package database (`libc6`, `glibc`), else a versioned `libc-X.Y.so`, else the version string in
    /// `libc.so.6`.
    mutating func readGlibc(_ libs: LibraryIndex) {
        if let v = packages?.first(["libc6", "glibc", "libc6-amd64"])?.version, let xy = Self.majorMinor(v) {
            glibc = xy; return
        }
        for name in libs.names(withPrefix: "libc-") where name.hasSuffix(".so") {
            if let xy = Self.majorMinor(String(name.dropFirst(5).dropLast(3))) { glibc = xy; return }
        }
        for path in libs.paths(named: "libc.so.6") {
            guard let real = root.resolve(path), let bytes = FileIO.read(real, limit: 1 << 26),
                  let start = ByteSearch.end(of: "GNU C Library", in: bytes),
                  let v = ByteSearch.end(of: "version ", in: bytes, from: start),
                  v - start < 200,
                  let token = ByteSearch.versionToken(in: bytes, at: v)
            else { continue }
            if let xy = Self.majorMinor(token) { glibc = xy; return }
        }
    }

    /// `2.36.1` / `2.17` → `2.36` / `2.17`; nil unless it starts with two numbers.
    static func majorMinor(_ version: String) -> String? {
        let parts = version.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let a = Int(parts[0]),
              let b = Int(parts[1].prefix { $0.isNumber }), parts[1].first?.isNumber == true else { return nil }
        return "\(a).\(b)"
    }

    /// Package names that carry the OpenSSL library, per database.
    static func opensslPackages(_ name: String) -> Bool {
        (name.hasPrefix("libssl") && !name.hasSuffix("-dev") && !name.hasSuffix("-doc") && name != "libssl-dev")
            || name == "openssl-libs" || name.hasPrefix("libopenssl1") || name.hasPrefix("libopenssl3")
            || name == "openssl"
    }

    /// Chooses the flavour from the library sonames found, with versions from the package database, versioned
    /// file names (`libssl.so.1.0.2k`) and the version string in `libcrypto`.
    mutating func readOpenSSL(_ libs: LibraryIndex) {
        let names = libs.names(withPrefix: "libssl.so.")
        let sonames = Set(OpenSSLFlavourRule.table.map(\.soname))
        var versions: [String] = []
        // Package versions: library packages before the CLI package.
        let pkgs = packages?.all(where: Self.opensslPackages) ?? []
        versions += pkgs.filter { $0.name != "openssl" }.map(\.version) + pkgs.filter { $0.name == "openssl" }.map(\.version)
        for name in names where !sonames.contains(name) {
            let v = String(name.dropFirst("libssl.so.".count))
            if v.split(separator: ".").count >= 3 || v.last?.isLetter == true { versions.append(v) }
        }
        for crypto in libs.names(withPrefix: "libcrypto.so.") where versions.isEmpty {
            for path in libs.paths(named: crypto) {
                guard let real = root.resolve(path), FileIO.kind(real, followLinks: false) == .regular,
                      let bytes = FileIO.read(real, limit: 1 << 26),
                      let at = ByteSearch.end(of: "OpenSSL ", in: bytes),
                      let token = ByteSearch.versionToken(in: bytes, at: at)
                else { continue }
                versions.append(token)
            }
        }
        chooseFlavour(sonames: OpenSSLFlavourRule.table.map(\.soname).filter(names.contains), versions: versions)
    }

    /// Applies the mapping: the first rule whose soname is present and whose versions accept a known version.
    mutating func chooseFlavour(sonames: [String], versions: [String]) {
        for rule in OpenSSLFlavourRule.table where sonames.contains(rule.soname) {
            let version = versions.first { v in rule.versionPrefixes.contains { v.hasPrefix($0) } }
            if rule.accepts(version: version) {
                opensslSoname = rule.soname
                opensslFlavour = rule.flavour
                opensslRule = rule
                openssl = version
                return
            }
        }
        opensslSoname = sonames.first
        openssl = versions.first
        if sonames.isEmpty, let v = versions.first, let rule = OpenSSLFlavourRule.rule(forVersion: v) {
            opensslFlavour = rule.flavour
            opensslRule = rule
        }
    }
}
