import AgentSupport

/// A Debian package version, `[epoch:]upstream[-revision]`, parsed and ordered exactly as dpkg 1.21 does.
///
/// Parsing follows dpkg's `parseversion`: leading and trailing blanks are trimmed; the epoch is what `strtol` reads
/// before the first `:`; the revision is what follows the last `-`. dpkg separates *errors* (the version cannot be
/// used: empty, embedded blanks, bad epoch, empty revision or version) from *warnings* (it still compares: upstream
/// not starting with a digit, characters outside `[A-Za-z0-9.+~:-]` / `[A-Za-z0-9.+~]`). Errors always throw; warnings
/// throw unless `allowingBadSyntax` is set, in which case `syntaxWarning` carries dpkg's message.
///
/// Ordering is dpkg's `verrevcmp` on upstream then revision after the numeric epoch: `~` sorts before everything,
/// even the end of the string; letters sort before other characters; digit runs compare numerically at any length.
/// Equality is dpkg's (`1.0` == `1.00`, `1.0-0` == `1.0`, `0:1` == `1`) and hashing agrees with it.
public struct DebianVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The epoch, 0 when absent (0…`Int32.max`).
    public let epoch: Int
    /// The upstream version (everything between the epoch colon and the last hyphen).
    public let upstream: String
    /// The Debian revision, empty when absent.
    public let revision: String
    /// dpkg's warning when the version has bad syntax that dpkg still compares; nil for a well-formed version.
    public let syntaxWarning: String?

    /// Parses `text` as dpkg does.
    ///
    /// - Parameter allowingBadSyntax: accept versions dpkg only warns about (for versions read from a package
    ///   database); by default they are refused like errors.
    /// - Throws: `AgentError` (`.generic`, one line naming the version and dpkg's reason).
    public init(_ text: String, allowingBadSyntax: Bool = false) throws(AgentError) {
        let bytes = Array(text.utf8)
        func fail(_ reason: String) -> AgentError {
            AgentError(.generic, "version '\(OneLine.escaped(text))' has bad syntax: \(reason)")
        }
        if bytes.contains(0) { throw fail("version string contains a NUL byte") }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        var start = 0
        while start < bytes.count, isBlank(bytes[start]) { start += 1 }
        if start == bytes.count { throw fail("version string is empty") }
        var end = start
        while end < bytes.count, !isBlank(bytes[end]) { end += 1 }
        if bytes[end...].contains(where: { !isBlank($0) }) { throw fail("version string has embedded spaces") }

        var body = start
        var parsedEpoch = 0
        if let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")) {
            // strtol(string, &end, 10): optional white space, an optional sign, then decimal digits.
            var i = start
            while i < colon, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[i]) { i += 1 }
            var negative = false
            if i < colon, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                negative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let digitsStart = i
            var value = 0
            while i < end, DebianVersion.isDigit(bytes[i]) {
                value = min(value * 10 + Int(bytes[i] - 0x30), Int(Int32.max) + 1)
                i += 1
            }
            if i == digitsStart { throw fail("epoch in version is empty") }
            if i != colon { throw fail("epoch in version is not number") }
            if negative && value > 0 { throw fail("epoch in version is negative") }
            if value > Int(Int32.max) { throw fail("epoch in version is too big") }
            // dpkg looks at the untrimmed string here: "1: " has something (a blank) after the colon.
            if colon + 1 == bytes.count { throw fail("nothing after colon in version number") }
            parsedEpoch = value
            body = colon + 1
        }
        var upstreamEnd = end
        var revisionBytes: ArraySlice<UInt8> = []
        if let hyphen = bytes[body..<end].lastIndex(of: UInt8(ascii: "-")) {
            if hyphen + 1 == end { throw fail("revision number is empty") }
            upstreamEnd = hyphen
            revisionBytes = bytes[(hyphen + 1)..<end]
        }
        let upstreamBytes = bytes[body..<upstreamEnd]
        if upstreamBytes.isEmpty { throw fail("version number is empty") }

        var warning: String?
        if !DebianVersion.isDigit(upstreamBytes.first!) {
            warning = "version number does not start with digit"
        } else if upstreamBytes.contains(where: { !DebianVersion.isAlnum($0) && !Array(".-+~:".utf8).contains($0) }) {
            warning = "invalid character in version number"
        } else if revisionBytes.contains(where: { !DebianVersion.isAlnum($0) && !Array(".+~".utf8).contains($0) }) {
            warning = "invalid character in revision number"
        }
        if let warning, !allowingBadSyntax { throw fail(warning) }

        epoch = parsedEpoch
        upstream = String(decoding: upstreamBytes, as: UTF8.self)
        revision = String(decoding: revisionBytes, as: UTF8.self)
        syntaxWarning = warning
    }

    /// The version as dpkg prints it: the epoch only when non-zero, the revision only when present.
    public var description: String {
        (epoch != 0 ? "\(epoch):" : "") + upstream + (revision.isEmpty ? "" : "-\(revision)")
    }

    /// Three-way comparison of two versions: negative, zero or positive, as `dpkg_version_compare`.
    public static func compare(_ a: DebianVersion, _ b: DebianVersion) -> Int {
        if a.epoch != b.epoch { return a.epoch < b.epoch ? -1 : 1 }
        let upstream = compareFragments(a.upstream, b.upstream)
        return upstream != 0 ? upstream : compareFragments(a.revision, b.revision)
    }

    /// dpkg's `verrevcmp` on two upstream versions or two revisions: negative, zero or positive.
    public static func compareFragments(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        while i < x.count || j < y.count {
            while (i < x.count && !isDigit(x[i])) || (j < y.count && !isDigit(y[j])) {
                let ac = order(i < x.count ? x[i] : 0), bc = order(j < y.count ? y[j] : 0)
                if ac != bc { return ac - bc }
                i += 1
                j += 1
            }
            while i < x.count, x[i] == 0x30 { i += 1 }
            while j < y.count, y[j] == 0x30 { j += 1 }
            var firstDifference = 0
            while i < x.count, j < y.count, isDigit(x[i]), isDigit(y[j]) {
                if firstDifference == 0 { firstDifference = Int(x[i]) - Int(y[j]) }
                i += 1
                j += 1
            }
            if i < x.count, isDigit(x[i]) { return 1 }
            if j < y.count, isDigit(y[j]) { return -1 }
            if firstDifference != 0 { return firstDifference }
        }
        return 0
    }

    public static func < (a: DebianVersion, b: DebianVersion) -> Bool { compare(a, b) < 0 }

    public static func == (a: DebianVersion, b: DebianVersion) -> Bool { compare(a, b) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(DebianVersion.canonical(upstream))
        hasher.combine(DebianVersion.canonical(revision))
    }

    // MARK: - dpkg's character classes and weights

    /// dpkg's `order()` on a C `char` (signed here): digits and the end weigh 0, letters their code, `~` -1,
    /// anything else its code + 256 (bytes ≥ 0x80 are negative chars, so they land at their unsigned value).
    private static func order(_ c: UInt8) -> Int {
        if isDigit(c) || c == 0 { return 0 }
        if isAlpha(c) { return Int(c) }
        if c == UInt8(ascii: "~") { return -1 }
        return c >= 0x80 ? Int(c) : Int(c) + 256
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    private static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }

    /// A key equal for exactly the fragments `verrevcmp` calls equal: each non-digit run verbatim, each digit run
    /// without leading zeros, and a lone empty-or-zero fragment the same as nothing.
    private static func canonical(_ fragment: String) -> [UInt8] {
        var key: [UInt8] = []
        var bytes = fragment.utf8[...]
        while !bytes.isEmpty {
            let text = bytes.prefix { !isDigit($0) }
            bytes = bytes.dropFirst(text.count)
            let digits = bytes.prefix { isDigit($0) }.drop { $0 == 0x30 }
            bytes = bytes.drop { isDigit($0) }
            if !text.isEmpty || !digits.isEmpty || !bytes.isEmpty {
                key += text + [0] + digits + [0]
            }
        }
        return key
    }
}
