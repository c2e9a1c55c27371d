/// Integer tags of an rpm package's main header, read in process (the lead, the signature header, then the main
/// header; rpm's `lib/rpmlead.c` and `lib/header.c` layout), so planning needs no `rpm -qp` child per package.
public enum RPMPackageHeader {
    /// `RPMTAG_SIZE` (INT32) and `RPMTAG_LONGSIZE` (INT64): the installed size in bytes.
    static let sizeTag: UInt32 = 1009
    static let longSizeTag: UInt32 = 5009
    /// Index entries and data bytes accepted per header (rpm's own limits: 0xffff entries, 256 MiB of data).
    static let maxEntries: UInt32 = 0xffff
    static let maxData: UInt32 = 256 << 20

    /// The installed size in bytes (`%{SIZE}`: LONGSIZE when present, else SIZE) of the package at `path`; nil when
    /// the header has neither tag. Throws `.integrity` naming the file when it is not a well-formed rpm package.
    public static func installedSize(path: String) throws(AgentError) -> Int64? {
        do {
            return try PackageFileBytes.withFile(path) { read throws(AgentError) in try installedSize(reading: read) }
        } catch let e where e.code == .integrity {
            throw AgentError(.integrity, "\(path) is not an rpm package: \(e.message)")
        }
    }

    /// The same for a package held in memory (also the fuzzing entry point).
    public static func installedSize(bytes: [UInt8]) throws(AgentError) -> Int64? {
        try installedSize(reading: PackageFileBytes.memory(bytes))
    }

    static func installedSize(reading read: PackageFileRead) throws(AgentError) -> Int64? {
        let lead = try read(0, 96)
        guard lead.count == 96, Array(lead[0..<4]) == [0xED, 0xAB, 0xEE, 0xDB] else { throw AgentError(.integrity, "no rpm lead") }
        // The signature header is padded to a multiple of 8 bytes; the main header follows.
        let signature = try header(at: 96, read, what: "signature header")
        let signatureEnd = 96 + 16 + Int64(signature.entries) * 16 + Int64(signature.dataSize)
        let main = try header(at: (signatureEnd + 7) & ~7, read, what: "header")
        var size: Int64?
        var longSize: Int64?
        for i in 0..<Int(main.entries) {
            let e = Array(main.index[(i * 16)..<(i * 16 + 16)])
            let tag = be32(e, 0), type = be32(e, 4), offset = be32(e, 8), count = be32(e, 12)
            guard tag == sizeTag || tag == longSizeTag else { continue }
            let width = tag == sizeTag ? 4 : 8
            guard type == (tag == sizeTag ? 4 : 5), count >= 1, Int64(offset) + Int64(width) <= Int64(main.dataSize) else {
                throw AgentError(.integrity, "malformed size tag \(tag)")
            }
            let bytes = try read(main.dataStart + Int64(offset), width)
            guard bytes.count == width else { throw AgentError(.integrity, "the header is truncated") }
            if tag == sizeTag {
                size = Int64(be32(bytes, 0))
            } else {
                let value = UInt64(be32(bytes, 0)) << 32 | UInt64(be32(bytes, 4))
                guard value <= UInt64(Int64.max) else { throw AgentError(.integrity, "malformed size tag \(tag)") }
                longSize = Int64(value)
            }
        }
        return longSize ?? size
    }

    private struct Header {
        var entries: UInt32
        var dataSize: UInt32
        var index: [UInt8]
        var dataStart: Int64
    }

    private static func header(at offset: Int64, _ read: PackageFileRead,
                               what: String) throws(AgentError) -> Header {
        let intro = try read(offset, 16)
        guard intro.count == 16, Array(intro[0..<8]) == [0x8E, 0xAD, 0xE8, 0x01, 0, 0, 0, 0] else {
            throw AgentError(.integrity, "no \(what) magic")
        }
        let entries = be32(intro, 8), dataSize = be32(intro, 12)
        guard entries >= 1, entries <= maxEntries, dataSize <= maxData else { throw AgentError(.integrity, "malformed \(what) sizes") }
        let index = try read(offset + 16, Int(entries) * 16)
        guard index.count == Int(entries) * 16 else { throw AgentError(.integrity, "the \(what) is truncated") }
        return Header(entries: entries, dataSize: dataSize, index: index, dataStart: offset + 16 + Int64(entries) * 16)
    }

    private static func be32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
