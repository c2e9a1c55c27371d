import CAgentArchive

/// The `control` file of a Debian binary package, read in process (deb(5): an ar archive of `debian-binary`, then
/// `control.tar[.gz|.xz|.zst]`, then `data.tar…`), so planning needs no `dpkg-deb` child per package.
///
/// Only an uncompressed or gzip-compressed `control.tar` is read here (what dpkg-deb wrote by default before 1.19 and
/// what the agent's bundles carry); any other compression is reported as `.unsupported`, and the caller asks
/// `dpkg-deb` instead, so a package's answer never depends on which libarchive filters a build has.
public enum DebianPackageFile {
    public enum Control: Equatable, Sendable {
        /// The bytes of the `control` member of `control.tar`.
        case control([UInt8])
        /// `control.tar` is compressed in a way read only by dpkg-deb (the member's name, e.g. `control.tar.xz`).
        case unsupported(String)
    }

    /// Largest `control.tar` member and `control` file accepted (dpkg's own are a few KiB).
    static let memberLimit = 16 << 20
    static let controlLimit = 4 << 20

    /// The control file of the package at `path`; throws `.integrity` naming the file when it is not a well-formed
    /// Debian package, `.systemProblem` when it cannot be read.
    public static func control(path: String) throws(AgentError) -> Control {
        do {
            return try PackageFileBytes.withFile(path) { read throws(AgentError) in try control(reading: read) }
        } catch let e where e.code == .integrity {
            throw AgentError(.integrity, "\(path) is not a Debian package: \(e.message)")
        }
    }

    /// The control file of a package held in memory (also the fuzzing entry point).
    public static func control(bytes: [UInt8]) throws(AgentError) -> Control {
        try control(reading: PackageFileBytes.memory(bytes))
    }

    /// Walks the ar members through `read(offset, count)` (which returns fewer bytes only at the end of input).
    static func control(reading read: PackageFileRead) throws(AgentError) -> Control {
        guard try read(0, 8) == Array("!<arch>\n".utf8) else { throw AgentError(.integrity, "no ar archive header") }
        var offset: Int64 = 8
        var index = 0
        while true {
            let header = try read(offset, 60)
            if header.isEmpty { throw AgentError(.integrity, "no control.tar member") }
            guard header.count == 60, header[58] == 0x60, header[59] == 0x0A else {
                throw AgentError(.integrity, "ar member header \(index + 1) is malformed")
            }
            var name = OneLine.escaped(String(decoding: header[0..<16], as: UTF8.self))
            while name.last == " " { name.removeLast() }
            if name.hasSuffix("/") { name.removeLast() }
            guard let size = decimal(header[48..<58]) else {
                throw AgentError(.integrity, "ar member \(name) has a malformed size")
            }
            let data = offset + 60
            if index == 0 {
                guard name == "debian-binary" else { throw AgentError(.integrity, "the first member is not debian-binary") }
                let version = try read(data, min(Int(size), 16))
                guard version.count >= 2, version[0] == UInt8(ascii: "2"), version[1] == UInt8(ascii: ".") else {
                    throw AgentError(.integrity, "unsupported debian-binary version")
                }
            } else if name.hasPrefix("control.tar") {
                let suffix = name.dropFirst("control.tar".count)
                guard suffix.isEmpty || suffix == ".gz" else { return .unsupported(name) }
                guard size <= Int64(memberLimit) else { throw AgentError(.integrity, "\(name) is larger than 16 MiB") }
                let member = try read(data, Int(size))
                guard member.count == Int(size) else { throw AgentError(.integrity, "\(name) is truncated") }
                return .control(try controlFile(in: member, gzip: suffix == ".gz", name: name))
            } else if !name.hasPrefix("_") {
                // dpkg skips members named _* before control.tar; anything else there is not a package.
                throw AgentError(.integrity, "unexpected member \(name) before control.tar")
            }
            offset = data + size + (size & 1)
            index += 1
        }
    }

    /// The `control` entry of a `control.tar` in memory.
    private static func controlFile(in member: [UInt8], gzip: Bool, name: String) throws(AgentError) -> [UInt8] {
        guard let a = archive_read_new() else { throw AgentError(.internalError, "libarchive: out of memory") }
        defer { archive_read_free(a) }
        if gzip { archive_read_support_filter_gzip(a) }
        archive_read_support_format_tar(a)
        // libarchive reads `member` in place: every read below stays inside this closure.
        return try member.withUnsafeBytes { raw in Result { () throws(AgentError) -> [UInt8] in
            guard archive_read_open_memory(a, raw.baseAddress, raw.count) == ARCHIVE_OK else {
                throw AgentError(.integrity, "\(name): \(errorText(a))")
            }
            if gzip, archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP {
                // Opening reads the first header, which fixes the filter.
                throw AgentError(.integrity, "\(name) is not gzip-compressed")
            }
            var entry: OpaquePointer?
            while true {
                let r = archive_read_next_header(a, &entry)
                if r == ARCHIVE_EOF { throw AgentError(.integrity, "\(name) has no control file") }
                guard r >= ARCHIVE_WARN, let entry else { throw AgentError(.integrity, "\(name): \(errorText(a))") }
                let info = ArchiveReader.describe(entry)
                guard info.name == "./control" || info.name == "control" else { continue }
                guard info.kind == .file else { throw AgentError(.integrity, "\(name): control is not a regular file") }
                guard info.size >= 0, info.size <= Int64(controlLimit) else { throw AgentError(.integrity, "\(name): control is larger than 4 MiB") }
                var bytes = [UInt8](repeating: 0, count: Int(info.size))
                var got = 0
                while got < bytes.count {
                    let n = bytes.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress! + got, $0.count - got) }
                    guard n > 0 else { throw AgentError(.integrity, "\(name): control is truncated") }
                    got += n
                }
                return bytes
            }
        } }.get()
    }

    private static func errorText(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unreadable"
    }

    /// An ar decimal field: digits, then spaces.
    private static func decimal(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        var ended = false
        for c in field {
            if c == 0x20 { ended = true; continue }
            guard !ended, c >= 0x30, c <= 0x39, digits < 10 else { return nil }
            value = value * 10 + Int64(c - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
