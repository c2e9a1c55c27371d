@testable import AgentInstaller
import AgentSupport
import Glibc
@testable import Preflight

/// The file and response parsers that take one text or byte blob.
enum TextTargets {
    /// `OSRelease` never crashes; `id` is the lower-cased `ID`, and empty values read as absent.
    static func osRelease(_ bytes: [UInt8]) {
        let os = OSRelease(text: String(decoding: bytes, as: UTF8.self))
        require(os.id == os.fields["ID"].flatMap { $0.isEmpty ? nil : $0.lowercased() }, "id is not lower-cased ID")
        for (key, value) in os.fields {
            require(!key.isEmpty, "empty key")
            require(os[key] == (value.isEmpty ? nil : value), "subscript disagrees with fields for \(key)")
        }
        _ = os.prettyName
    }

    /// A scratch root (under `$TMPDIR`; scripts/fuzz points it into its work directory) that holds the one legacy
    /// release file under test.
    nonisolated(unsafe) static var releaseRoot: HostRoot?

    /// The legacy release-file reader: the first byte picks which file of `HostFacts.legacyReleaseFiles` the
    /// rest is written to, then `readDistro` reads the tree. Never crashes; a version found by `leadingNumber`
    /// is digits and dots, starting and ending with a digit.
    static func releaseFile(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let root = releaseRoot ?? {
            let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            var template = Array("\(tmp)/agent-fuzz-root.XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
            let path = String(cString: made)
            mkdir(path + "/etc", 0o755)
            let root = try! HostRoot(path)
            releaseRoot = root
            return root
        }()
        let files = HostFacts.legacyReleaseFiles
        let file = files[Int(selector) % files.count].path
        let text = Array(bytes.dropFirst())
        let full = root.path + file
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        require(fd >= 0, "cannot write \(full)")
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(full) }
        var facts = HostFacts(root: root)
        facts.readDistro()
        let string = String(decoding: text, as: UTF8.self)
        if let number = HostFacts.leadingNumber(string) {
            require(number.first?.isNumber == true && number.last?.isNumber == true
                        && number.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) },
                    "leadingNumber returned \(number)")
        }
        _ = OSRelease(text: string.replacingSpacesAroundEquals())
    }

    /// `BundleHeader.parse` never crashes, and an accepted shell bundle's payload offset lies inside the prefix
    /// with the gzip magic there; the last 8 bytes of the input (when present) vary the declared file size.
    static func bundleHeader(_ bytes: [UInt8]) {
        for fileSize in [nil, bytes.count, bytes.count + 1 + Int(bytes.last ?? 0) * 4096] as [Int?] {
            guard let header = try? BundleHeader.parse(prefix: bytes, fileSize: fileSize) else { continue }
            switch header.layout {
            case .tarball:
                require(header.payloadOffset == 0 && bytes.starts(with: BundleHeader.gzipMagic), "tarball without magic")
            case .shellBundle:
                require(header.scriptLength > 0, "script length \(header.scriptLength)")
                require(header.payloadOffset > 0 && header.payloadOffset + 3 <= bytes.count,
                        "payload offset \(header.payloadOffset) outside \(bytes.count) bytes")
                require(Array(bytes[header.payloadOffset..<header.payloadOffset + 3]) == BundleHeader.gzipMagic,
                        "no gzip magic at the payload offset")
                require(header.omsPackage.hasPrefix("omsagent-"), "OMS_PKG \(header.omsPackage)")
                _ = header.version
            }
        }
    }

    /// `SHA256Sums` never crashes and keeps only 64-digit lower-case hex digests.
    static func sha256Sums(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let sums = try? SHA256Sums(text: text) {
            for digest in sums.digests.values {
                require(digest.utf8.count == 64 && digest.utf8.allSatisfy(SHA256Sums.isLowerHex), "digest \(digest)")
            }
            _ = sums.digest(for: text)
            _ = sums.onlyDigest
        }
        if let digest = try? SHA256Sums.normalizedDigest(text) {
            require(digest.utf8.count == 64 && digest.utf8.allSatisfy(SHA256Sums.isLowerHex), "normalized \(digest)")
        }
    }

    /// The topology response (XML over expat) never crashes; a complete answer has both endpoints.
    static func topologyResponse(_ bytes: [UInt8]) {
        let response = TopologyResponse(parsing: bytes)
        if response.parseCode == nil {
            require(!response.certificateUpdateEndpoint.isEmpty && !response.dscEndpoint.isEmpty
                        && response.updateCertificate != nil && response.problem == nil, "complete answer missing parts")
        } else {
            require(response.problem != nil, "parse code without a problem")
        }
        _ = TopologyResponse.reason(in: bytes)
    }

    /// `OmsAdminConf.parse` never crashes; a parsed file that renders re-parses to the same value.
    static func omsAdminConf(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = OmsAdminConf.agentGUID(in: text)
        guard let conf = OmsAdminConf.parse(text), let rendered = try? conf.render() else { return }
        require(OmsAdminConf.parse(rendered) == conf, "rendered omsadmin.conf does not re-parse to the same value")
    }
}
