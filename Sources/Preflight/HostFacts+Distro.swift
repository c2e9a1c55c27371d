import AgentSupport

extension HostFacts {
    /// Legacy release files, in the order they are consulted, with the id their content maps to when the first
    /// line names no known distribution.
    static let legacyReleaseFiles: [(path: String, fallbackID: String?)] = [
        ("/etc/oracle-release", "ol"), ("/etc/centos-release", "centos"), ("/etc/redhat-release", nil),
        ("/etc/system-release", nil), ("/etc/SuSE-release", nil), ("/etc/lsb-release", nil),
        ("/etc/debian_version", "debian"),
    ]

    /// Long names in legacy first lines → ids, first match wins (lower-case substring).
    static let legacyNames: [(needle: String, id: String)] = [
        ("red hat", "rhel"), ("centos", "centos"), ("oracle", "ol"), ("amazon", "amzn"), ("opensuse", "opensuse"),
        ("suse", "sles"), ("rocky", "rocky"), ("alma", "almalinux"), ("fedora", "fedora"),
    ]

    /// Reads `etc/os-release`, else `usr/lib/os-release`, else the legacy release files.
    mutating func readDistro() {
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            guard let text = root.readText(path, limit: 1 << 16) else { continue }
            let os = OSRelease(text: text)
            osRelease = os
            guard let id = os.id else { continue }
            distro = Distro(id: id, version: os.versionID, name: os.prettyName, source: path)
            if distro.version == nil, id == "debian", let dv = root.readText("/etc/debian_version", limit: 4096) {
                distro.version = Self.leadingNumber(dv)
            }
            return
        }
        for (path, fallback) in Self.legacyReleaseFiles {
            guard let text = root.readText(path, limit: 1 << 16) else { continue }
            if path == "/etc/lsb-release" {
                let lsb = OSRelease(text: text)
                guard let id = lsb["DISTRIB_ID"]?.lowercased() else { continue }
                distro = Distro(id: id, version: lsb["DISTRIB_RELEASE"], name: lsb["DISTRIB_DESCRIPTION"], source: path)
                return
            }
            let first = text.split(whereSeparator: \.isNewline).first.map { String($0).trimmedLine } ?? ""
            let lower = first.lowercased()
            guard let id = Self.legacyNames.first(where: { lower.contains($0.needle) })?.id ?? fallback else { continue }
            var version: String?
            if path == "/etc/SuSE-release" {
                let kv = OSRelease(text: text.replacingSpacesAroundEquals())
                if let v = kv["VERSION"] { version = kv["PATCHLEVEL"].map { "\(v).\($0)" } ?? v }
            }
            if version == nil, let r = lower.firstRange(of: "release ") {
                version = Self.leadingNumber(String(lower[r.upperBound...]))
            }
            if version == nil { version = Self.leadingNumber(first) }
            let name = path == "/etc/debian_version" ? "Debian \(first)" : first
            distro = Distro(id: id, version: version, name: first.isEmpty ? nil : name, source: path)
            return
        }
    }

    /// The first dotted number in `text` (`CentOS release 6.10 (Final)` → `6.10`, `bookworm/sid` → nil).
    static func leadingNumber(_ text: String) -> String? {
        var out = ""
        var started = false
        for ch in text {
            if ch.isASCII && ch.isNumber { out.append(ch); started = true; continue }
            if started && ch == "." { out.append(ch); continue }
            if started { break }
        }
        while out.hasSuffix(".") { out.removeLast() }
        return out.isEmpty ? nil : out
    }
}

extension String {
    var trimmedLine: String {
        String(Substring(self).trimmingSpaces())
    }

    /// `VERSION = 11` → `VERSION=11` so the shell-assignment parser reads SuSE-release.
    func replacingSpacesAroundEquals() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let eq = line.firstIndex(of: "=") else { return String(line) }
            return String(line[..<eq].trimmingSpaces()) + "=" + String(line[line.index(after: eq)...].trimmingSpaces())
        }.joined(separator: "\n")
    }
}
