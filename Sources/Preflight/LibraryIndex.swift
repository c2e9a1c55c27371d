import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The shared-library file names of a host tree's library directories, listed once (usr-merged directories that
/// resolve to the same place are listed once).
struct LibraryIndex: Sendable {
    /// Library directories searched, host paths.
    static let directories = [
        "/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib",
    ]

    /// (host directory, file name) pairs in directory order.
    let files: [(directory: String, name: String)]

    init(root: HostRoot) {
        var seen = Set<String>()
        var files: [(String, String)] = []
        for dir in Self.directories {
            guard let real = root.resolve(dir), seen.insert(real).inserted else { continue }
            for name in FileIO.list(real) where name.hasPrefix("lib") || name.hasPrefix("ld-") {
                files.append((dir, name))
            }
        }
        self.files = files
    }

    /// Host paths of files named exactly `name`.
    func paths(named name: String) -> [String] {
        files.filter { $0.name == name }.map { $0.directory + "/" + $0.name }
    }

    /// Names starting with `prefix`.
    func names(withPrefix prefix: String) -> [String] {
        files.filter { $0.name.hasPrefix(prefix) }.map(\.name)
    }

    func contains(_ name: String) -> Bool { files.contains { $0.name == name } }
}

/// Byte search in a file's content.
enum ByteSearch {
    /// The offset just after the first occurrence of `needle` in `haystack`.
    static func end(of needle: String, in haystack: [UInt8], from start: Int = 0) -> Int? {
        let n = Array(needle.utf8)
        guard start < haystack.count else { return nil }
        return haystack.withUnsafeBufferPointer { h -> Int? in
            n.withUnsafeBufferPointer { p -> Int? in
                guard let first = p.first, let base = h.baseAddress, let pb = p.baseAddress else { return nil }
                var i = start
                while i + p.count <= h.count {
                    guard let hit = memchr(base + i, Int32(first), h.count - i - p.count + 1) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, pb, p.count) == 0 { return at + p.count }
                    i = at + 1
                }
                return nil
            }
        }
    }

    /// The run of version characters (digits, dots, letters) starting at `offset`.
    static func versionToken(in bytes: [UInt8], at offset: Int) -> String? {
        var end = offset
        while end < bytes.count, end - offset < 32 {
            let b = bytes[end]
            guard (b >= 0x30 && b <= 0x39) || b == 0x2E || (b >= 0x61 && b <= 0x7A) else { break }
            end += 1
        }
        var token = String(decoding: bytes[offset..<end], as: UTF8.self)
        while token.hasSuffix(".") { token.removeLast() }
        return token.first?.isNumber == true ? token : nil
    }
}
