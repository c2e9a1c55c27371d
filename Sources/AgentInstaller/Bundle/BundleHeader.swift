import AgentSupport

/// The parsed script header of an agent shell bundle (contract §2), or the description of a bare `.tar.gz`
/// payload.
///
/// The header is read as text with a strict pattern and never executed: only unquoted `NAME=value` lines for the
/// known names count, `SCRIPT_LEN_PLUS_ONE` must be `SCRIPT_LEN + 1`, the script's last line must be a comment,
/// and the payload must start with the gzip magic `1f 8b 08` right after the `SCRIPT_LEN`-th newline.
/// Every refusal is an `AgentError` with exit code 2 (not a bundle / malformed), never a crash.
public struct BundleHeader: Sendable, Equatable, Codable {
    /// How the payload is wrapped.
    public enum Layout: String, Sendable, Codable {
        /// The vendor's `sh` script followed by the gzip'd tar payload.
        case shellBundle = "shell-bundle"
        /// A bare `.tar.gz` payload (for example from `--extract-binary`).
        case tarball
    }

    public var layout: Layout
    /// Header assignments (empty for a bare tarball).
    public var tarFile: String
    public var omsPackage: String
    public var dscPackage: String
    public var omiPackage: String
    public var scxPackage: String
    /// `""` (universal), `RPM` or `DPKG`.
    public var installType: String
    /// The number of script lines (0 for a bare tarball).
    public var scriptLength: Int
    /// The byte offset of the gzip payload in the file.
    public var payloadOffset: Int

    /// The names the parser recognises; anything else on a `NAME=value` line is ignored script text.
    static let assignmentNames: Set<String> = [
        "TAR_FILE", "OMS_PKG", "DSC_PKG", "OMI_PKG", "SCX_PKG", "INSTALL_TYPE", "SCRIPT_LEN", "SCRIPT_LEN_PLUS_ONE",
    ]

    /// The gzip magic and the deflate method byte every payload starts with.
    static let gzipMagic: [UInt8] = [0x1f, 0x8b, 0x08]

    /// The most header bytes read before giving up looking for the payload (vendor scripts are ~30 KiB).
    public static let maximumScriptBytes = 1 << 20

    /// The bundle version `a.b.c.d` as `--version` prints it (from `OMS_PKG`: prefix and platform dropped, first
    /// `-` turned into `.`); nil for a bare tarball or an `OMS_PKG` that does not carry one.
    public var version: String? {
        guard let raw = versionRelease else { return nil }
        guard let dash = raw.firstIndex(of: "-") else { return raw }
        return String(raw[..<dash]) + "." + String(raw[raw.index(after: dash)...])
    }

    /// The omsagent `version-release` from `OMS_PKG` (`1.14.19-0`); nil when absent.
    public var versionRelease: String? {
        guard omsPackage.hasPrefix("omsagent-") else { return nil }
        var rest = Substring(omsPackage.dropFirst("omsagent-".count))
        if let platform = rest.firstRange(of: ".universal") { rest = rest[..<platform.lowerBound] }
        guard let first = rest.first, first.isNumber else { return nil }
        return String(rest)
    }

    /// Parses the beginning of a file. `prefix` holds the first bytes of the file (at least up to 3 bytes past
    /// the end of the script, or the whole file when it is shorter); `fileSize` is the file's total size when
    /// known (it tells a truncated file from a short read).
    public static func parse(prefix: [UInt8], fileSize: Int? = nil, name: String = "file") throws(AgentError) -> BundleHeader {
        if prefix.starts(with: gzipMagic) {
            return BundleHeader(layout: .tarball, tarFile: "", omsPackage: "", dscPackage: "", omiPackage: "",
                                scxPackage: "", installType: "", scriptLength: 0, payloadOffset: 0)
        }
        guard prefix.starts(with: Array("#!".utf8)) else {
            throw AgentError(.usage, "\(name) is not an agent bundle: neither a shell bundle nor a gzip'd tar payload")
        }
        let (values, lastAssignmentLine) = try assignments(in: prefix, name: name)
        guard let lengthText = values["SCRIPT_LEN"], let plusText = values["SCRIPT_LEN_PLUS_ONE"] else {
            throw AgentError(.usage, "\(name) is not an agent bundle: SCRIPT_LEN/SCRIPT_LEN_PLUS_ONE missing from its header")
        }
        guard let length = Int(lengthText), let plusOne = Int(plusText), length > 0, length < 1_000_000 else {
            throw AgentError(.usage, "\(name): SCRIPT_LEN '\(lengthText)' is not a line count")
        }
        guard plusOne == length + 1 else {
            throw AgentError(.usage, "\(name): header declares SCRIPT_LEN=\(length) but SCRIPT_LEN_PLUS_ONE=\(plusOne)")
        }
        guard let oms = values["OMS_PKG"], oms.hasPrefix("omsagent-") else {
            throw AgentError(.usage, "\(name) is not an agent bundle: OMS_PKG missing or not an omsagent package")
        }
        let installType = values["INSTALL_TYPE"] ?? ""
        guard ["", "RPM", "DPKG"].contains(installType) else {
            throw AgentError(.usage, "\(name): INSTALL_TYPE '\(installType)' is not empty, RPM or DPKG")
        }
        // The payload starts right after the SCRIPT_LEN-th newline.
        var newlines = 0
        var offset: Int?
        var lastLineStart = 0
        for (i, byte) in prefix.enumerated() where byte == 0x0a {
            newlines += 1
            if newlines == length { offset = i + 1; break }
            lastLineStart = i + 1
        }
        guard let payloadOffset = offset else {
            if fileSize == nil || fileSize! <= prefix.count {
                throw AgentError(.usage, "\(name) is truncated: the header declares \(length) script lines, the file has \(newlines)")
            }
            throw AgentError(.usage, "\(name): the header declares \(length) script lines, more than \(maximumScriptBytes) bytes")
        }
        guard lastAssignmentLine <= length else {
            throw AgentError(.usage, "\(name): header assignments appear after line \(length), the declared end of the script")
        }
        guard prefix[lastLineStart] == UInt8(ascii: "#") else {
            throw AgentError(.usage, "\(name): line \(length) (the declared last script line) is not a comment; SCRIPT_LEN does not match the script")
        }
        let available = prefix.count - payloadOffset
        guard available > 0 else {
            throw AgentError(.usage, "\(name) is truncated: no payload after the \(length)-line script")
        }
        guard available >= 3, Array(prefix[payloadOffset..<payloadOffset + 3]) == gzipMagic else {
            throw AgentError(.usage, "\(name): no gzip data at line \(length + 1) (byte \(payloadOffset)); SCRIPT_LEN does not match the payload")
        }
        return BundleHeader(layout: .shellBundle, tarFile: values["TAR_FILE"] ?? "", omsPackage: oms,
                            dscPackage: values["DSC_PKG"] ?? "", omiPackage: values["OMI_PKG"] ?? "",
                            scxPackage: values["SCX_PKG"] ?? "", installType: installType, scriptLength: length,
                            payloadOffset: payloadOffset)
    }

    /// The known `NAME=value` lines of the script text (lines up to the first one holding a NUL byte, which
    /// script text never has and a gzip header almost always has), and the 1-based number of the last such line.
    /// A name assigned twice with different values is refused: the bundle would be ambiguous.
    static func assignments(in prefix: [UInt8], name: String) throws(AgentError) -> ([String: String], Int) {
        var values: [String: String] = [:]
        var start = 0
        var lineNumber = 0
        var lastLine = 0
        while start < prefix.count {
            guard let end = prefix[start...].firstIndex(of: 0x0a) else { break }
            let line = prefix[start..<end]
            start = end + 1
            lineNumber += 1
            if line.starts(with: gzipMagic) || line.contains(0) { break }
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: line[line.startIndex..<eq], as: UTF8.self)
            guard assignmentNames.contains(key) else { continue }
            let value = String(decoding: line[(eq + 1)...], as: UTF8.self)
            guard value.utf8.allSatisfy(isValueByte) else {
                throw AgentError(.usage, "\(name): header line \(key)= has characters outside [A-Za-z0-9._+-]")
            }
            if let previous = values[key], previous != value {
                throw AgentError(.usage, "\(name): header assigns \(key) twice with different values")
            }
            values[key] = value
            lastLine = lineNumber
        }
        return (values, lastLine)
    }

    static func isValueByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }
}
