/// The key/value pairs of an `os-release` file (or any file in its shell-assignment syntax, such as
/// `lsb-release`).
///
/// Tolerates comments, blank lines, CRLF line ends, single or double quotes, backslash escapes inside double
/// quotes, spaces around `=` and lines without `=` (ignored). Later assignments win, as in a shell.
public struct OSRelease: Sendable, Equatable {
    /// The assignments, keys as written.
    public var fields: [String: String]

    /// Parses the text of an os-release file.
    public init(text: String) {
        var fields: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var line = Substring(rawLine)
            while let last = line.last, last == "\r" || last == " " || last == "\t" { line = line.dropLast() }
            while let first = line.first, first == " " || first == "\t" { line = line.dropFirst() }
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSpaces()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            fields[String(key)] = Self.unquote(line[line.index(after: eq)...].trimmingSpaces())
        }
        self.fields = fields
    }

    public subscript(key: String) -> String? {
        guard let value = fields[key], !value.isEmpty else { return nil }
        return value
    }

    /// `ID` in lower case.
    public var id: String? { self["ID"]?.lowercased() }
    /// `VERSION_ID`.
    public var versionID: String? { self["VERSION_ID"] }
    /// `PRETTY_NAME`, else `NAME` and `VERSION`.
    public var prettyName: String? {
        if let p = self["PRETTY_NAME"] { return p }
        guard let name = self["NAME"] else { return nil }
        return self["VERSION"].map { "\(name) \($0)" } ?? name
    }

    static func unquote(_ value: Substring) -> String {
        guard let q = value.first, q == "\"" || q == "'" else {
            // Unquoted: a trailing comment after whitespace is not part of the value.
            if let hash = value.firstRange(of: " #") { return String(value[..<hash.lowerBound]) }
            return String(value)
        }
        var out = ""
        var escaped = false
        for ch in value.dropFirst() {
            if escaped { out.append(ch); escaped = false; continue }
            if ch == "\\" && q == "\"" { escaped = true; continue }
            if ch == q { break }
            out.append(ch)
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}
