import AgentSupport

/// An RPM package version, `[epoch:]version[-release]`, ordered as rpm 4.18's `rpm.labelCompare` orders
/// `(epoch, version, release)`.
///
/// Parsing splits like rpm's `parseEVR`: the epoch is a run of digits before a `:`, the release follows the last
/// `-`. It then refuses what `rpmbuild` never produces (empty parts, an empty epoch, characters other than
/// `[A-Za-z0-9._+~^]` in version or release, `..`, an epoch beyond `UInt32`).
///
/// Ordering: epochs (absent = `0`), then versions, then releases, each with `rpmvercmp`: alphanumeric segments,
/// other characters only separate; digit segments compare numerically and are newer than letter segments; `~`
/// sorts before everything, `^` after the end of the other string but before anything else. As in
/// `labelCompare`, an absent release is older than any present one (even an empty one).
public struct RPMVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The epoch digits, nil when absent (then compared as `0`).
    public let epoch: String?
    /// The version part.
    public let version: String
    /// The release part, nil when absent.
    public let release: String?

    /// A version from its parts as they are (no validation), e.g. from `rpm -q --queryformat`.
    public init(epoch: String?, version: String, release: String?) {
        self.epoch = epoch
        self.version = version
        self.release = release
    }

    /// Parses `[epoch:]version[-release]`.
    /// - Throws: `AgentError` (`.generic`, one line naming the version and the reason).
    public init(_ text: String) throws(AgentError) {
        func fail(_ reason: String) -> AgentError {
            AgentError(.generic, "rpm version '\(OneLine.escaped(text))' is invalid: \(reason)")
        }
        if text.isEmpty { throw fail("it is empty") }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, RPMVersion.isDigit(bytes[i]) { i += 1 }
        var parsedEpoch: String?
        var rest = bytes[...]
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            if i == 0 { throw fail("the epoch before ':' is empty") }
            let digits = bytes[..<i].drop { $0 == 0x30 }
            if digits.count > 10 || (Int(String(decoding: digits, as: UTF8.self)) ?? 0) > Int(UInt32.max) {
                throw fail("the epoch is too big")
            }
            parsedEpoch = String(decoding: bytes[..<i], as: UTF8.self)
            rest = bytes[(i + 1)...]
        }
        var versionBytes = rest
        var releaseBytes: ArraySlice<UInt8>?
        if let hyphen = rest.lastIndex(of: UInt8(ascii: "-")) {
            versionBytes = rest[..<hyphen]
            releaseBytes = rest[(hyphen + 1)...]
        }
        for (name, part) in [("version", versionBytes), ("release", releaseBytes)] {
            guard let part else { continue }
            if part.isEmpty { throw fail("the \(name) is empty") }
            if let bad = part.first(where: { !RPMVersion.isAlnum($0) && !Array("._+~^".utf8).contains($0) }) {
                let shown = bad >= 0x20 && bad < 0x7F ? "'\(Character(Unicode.Scalar(bad)))'" : "byte \(bad)"
                throw fail("the \(name) contains \(shown)")
            }
            if part.indices.dropLast().contains(where: { part[$0] == 0x2E && part[$0 + 1] == 0x2E }) {
                throw fail("the \(name) contains '..'")
            }
        }
        epoch = parsedEpoch
        version = String(decoding: versionBytes, as: UTF8.self)
        release = releaseBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The version as rpm prints `%{EVR}`: the epoch only when present.
    public var description: String {
        (epoch.map { "\($0):" } ?? "") + version + (release.map { "-\($0)" } ?? "")
    }

    /// `rpm.labelCompare((e1, v1, r1), (e2, v2, r2))`: -1, 0 or 1.
    public static func compare(_ a: RPMVersion, _ b: RPMVersion) -> Int {
        let epochs = compareSegments(a.epoch ?? "0", b.epoch ?? "0")
        if epochs != 0 { return epochs }
        let versions = compareSegments(a.version, b.version)
        if versions != 0 { return versions }
        switch (a.release, b.release) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (x?, y?): return compareSegments(x, y)
        }
    }

    /// rpm's `rpmvercmp` on two version (or release, or epoch) strings: -1, 0 or 1.
    public static func compareSegments(_ a: String, _ b: String) -> Int {
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        let tilde = UInt8(ascii: "~"), caret = UInt8(ascii: "^")
        func at(_ s: [UInt8], _ k: Int) -> UInt8 { k < s.count ? s[k] : 0 }
        while i < x.count || j < y.count {
            while i < x.count, !isAlnum(x[i]), x[i] != tilde, x[i] != caret { i += 1 }
            while j < y.count, !isAlnum(y[j]), y[j] != tilde, y[j] != caret { j += 1 }
            let c1 = at(x, i), c2 = at(y, j)
            if c1 == tilde || c2 == tilde {
                if c1 != tilde { return 1 }
                if c2 != tilde { return -1 }
                i += 1
                j += 1
                continue
            }
            if c1 == caret || c2 == caret {
                if c1 == 0 { return -1 }
                if c2 == 0 { return 1 }
                if c1 != caret { return 1 }
                if c2 != caret { return -1 }
                i += 1
                j += 1
                continue
            }
            if c1 == 0 || c2 == 0 { break }
            let numeric = isDigit(c1)
            let inSegment: (UInt8) -> Bool = { numeric ? isDigit($0) : isAlpha($0) }
            var e1 = i, e2 = j
            while e1 < x.count, inSegment(x[e1]) { e1 += 1 }
            while e2 < y.count, inSegment(y[e2]) { e2 += 1 }
            if e2 == j { return numeric ? 1 : -1 }
            var s1 = x[i..<e1], s2 = y[j..<e2]
            if numeric {
                s1 = s1.drop { $0 == 0x30 }
                s2 = s2.drop { $0 == 0x30 }
                if s1.count != s2.count { return s1.count > s2.count ? 1 : -1 }
            }
            if s1.lexicographicallyPrecedes(s2) { return -1 }
            if s2.lexicographicallyPrecedes(s1) { return 1 }
            i = e1
            j = e2
        }
        if i >= x.count && j >= y.count { return 0 }
        return i >= x.count ? -1 : 1
    }

    public static func < (a: RPMVersion, b: RPMVersion) -> Bool { compare(a, b) < 0 }

    public static func == (a: RPMVersion, b: RPMVersion) -> Bool { compare(a, b) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(RPMVersion.canonical(epoch ?? "0"))
        hasher.combine(RPMVersion.canonical(version))
        hasher.combine(release.map(RPMVersion.canonical))
    }

    /// A key equal for exactly the strings `rpmvercmp` calls equal: the sequence of `~`, `^`, letter segments and
    /// digit segments without leading zeros; separators dropped.
    private static func canonical(_ text: String) -> [UInt8] {
        var key: [UInt8] = []
        var bytes = text.utf8[...]
        while let c = bytes.first {
            if c == UInt8(ascii: "~") || c == UInt8(ascii: "^") {
                key.append(c)
                bytes = bytes.dropFirst()
            } else if isDigit(c) {
                key += [0x30] + bytes.prefix(while: { isDigit($0) }).drop { $0 == 0x30 } + [0]
                bytes = bytes.drop(while: { isDigit($0) })
            } else if isAlpha(c) {
                key += [0x61] + bytes.prefix(while: { isAlpha($0) }) + [0]
                bytes = bytes.drop(while: { isAlpha($0) })
            } else {
                bytes = bytes.dropFirst()
            }
        }
        return key
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    private static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
}
