import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Hostile archives are refused with exit code 80 naming the entry, and nothing lands outside the destination.
@Suite struct ArchiveSafetyTests {
    struct Hostile: Sendable, CustomTestStringConvertible {
        let label: String
        let body: String
        let entry: String
        var testDescription: String { label }
    }

    static let hostile: [Hostile] = [
        Hostile(label: "dot-dot", body: "f('ok'); f('../sentinel/pwned')", entry: "../sentinel/pwned"),
        Hostile(label: "dot-dot inside", body: "d('a'); f('a/../../sentinel/pwned')", entry: "a/../../sentinel/pwned"),
        Hostile(label: "absolute", body: "f(W + '/sentinel/pwned')", entry: "/sentinel/pwned"),
        Hostile(label: "symlink to /etc then a file through it", body: "sym('etc', '/etc'); f('etc/agent-installer-pwned')",
                entry: "etc"),
        Hostile(label: "absolute symlink to the sentinel then a file", body: "sym('s', W + '/sentinel'); f('s/pwned')",
                entry: "s"),
        Hostile(label: "symlink a -> ../..", body: "sym('a', '../..')", entry: "a"),
        Hostile(label: "relative symlink to the sibling", body: "d('x'); sym('x/s', '../../sentinel'); f('x/s/pwned')",
                entry: "x/s"),
        Hostile(label: "escape through a link chain", body: "d('d'); sym('d/l', '..'); sym('m', 'd/l/..'); f('m/sentinel/pwned')",
                entry: "m"),
        Hostile(label: "write through an inner symlink", body: "d('sub'); sym('a', 'sub'); f('a/x')", entry: "a/x"),
        Hostile(label: "hardlink to /etc/passwd", body: "hard('h', '/etc/passwd')", entry: "'h' refused: hardlink target '/etc/passwd'"),
        Hostile(label: "hardlink outside", body: "hard('h', '../sentinel/x')", entry: "h"),
        Hostile(label: "hardlink to a file not in the archive", body: "hard('h', 'nowhere')", entry: "h"),
        Hostile(label: "hardlink to a directory", body: "d('dir'); hard('h', 'dir')", entry: "h"),
        Hostile(label: "character device", body: "node('null', tarfile.CHRTYPE)", entry: "null"),
        Hostile(label: "block device", body: "node('disk', tarfile.BLKTYPE)", entry: "disk"),
        Hostile(label: "fifo", body: "node('fifo', tarfile.FIFOTYPE)", entry: "fifo"),
        Hostile(label: "setuid file", body: "f('su', b'#!/bin/sh\\n', 0o4755)", entry: "su"),
        Hostile(label: "setgid directory", body: "d('g', 0o2755)", entry: "g"),
        Hostile(label: "sticky directory", body: "d('t', 0o1777)", entry: "t"),
        Hostile(label: "file replacing an earlier symlink", body: "f('target'); sym('l', 'target'); f('l', b'new')",
                entry: "l"),
    ]

    @Test(arguments: hostile) func refusedWithCode80AndNothingOutside(_ h: Hostile) async throws {
        let fx = try ArchiveFixture()
        let archive = try await fx.archive(h.body)
        do throws(AgentError) {
            let result = try ArchiveExtractor().extract(file: archive, into: fx.dest)
            Issue.record("extracted \(result.entries.map(\.name))")
        } catch {
            #expect(error.code == .integrity)
            #expect(error.code.rawValue == 80)
            #expect(error.message.contains("archive entry '") && error.message.contains(h.entry), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
        #expect(fx.tree("sentinel").isEmpty)
        #expect(fx.topLevel == ["archive.tgz", "dest", "sentinel"])
        #expect(FileIO.kind("/etc/agent-installer-pwned", followLinks: false) == nil)
        // Whatever was written is inside and contains no link leaving it.
        for path in fx.tree("dest") where FileIO.kind(fx.dir.url(path), followLinks: false) == .symlink {
            let resolved = try #require(realpath(fx.dir.url(path), nil))
            defer { free(resolved) }
            let real = String(cString: resolved)
            #expect(real == fx.dest || real.hasPrefix(fx.dest + "/"), "\(path) -> \(real)")
        }
    }

    @Test func listingNamesEveryRefusalWithoutWriting() async throws {
        let fx = try ArchiveFixture()
        let archive = try await fx.archive("d('100'); f('100/a.deb', b'deb'); f('../evil'); sym('100/l', '/etc'); f('100/su', b'', 0o4755); f('oss/x')")
        let fd = open(archive, O_RDONLY)
        defer { close(fd) }
        let entries = try ArchiveExtractor(allowedTopLevel: ["100"]).list(from: fd)
        #expect(entries.map(\.name) == ["100/", "100/a.deb", "../evil", "100/l", "100/su", "oss/x"])
        #expect(entries.map { $0.refusal == nil } == [true, true, false, false, false, false])
        #expect(entries[1].size == 3 && entries[1].kind == .file && entries[1].mode == 0o644)
        #expect(entries[3].kind == .symlink && entries[3].linkTarget == "/etc")
        #expect(entries[4].mode == 0o4755)
        #expect(entries[5].refusal?.contains("top-level") == true)
        #expect(fx.tree("dest").isEmpty)
    }

    @Test func allowListRefusesOtherTopLevelNames() async throws {
        let fx = try ArchiveFixture()
        let allowed: Set<String> = ["100", "110", "300", "oss-kits", "bundles"]
        let good = try await fx.archive("d('./'); d('./100'); f('./100/omi.deb', b'omi'); f('oss-kits/x.sh'); d('bundles'); f('bundles/v1/a.sh')", name: "good.tgz")
        let result = try ArchiveExtractor(allowedTopLevel: allowed).extract(file: good, into: fx.dest)
        #expect(result.entries.count == 5)
        #expect(FileIO.read(fx.dest + "/100/omi.deb") == Array("omi".utf8))
        let bad = try await fx.archive("f('100/ok'); f('etc/cron.d/x')", name: "bad.tgz")
        try fx.dir.mkdir("second")
        let error = #expect(throws: AgentError.self) {
            try ArchiveExtractor(allowedTopLevel: allowed).extract(file: bad, into: fx.dir.url("second"))
        }
        #expect(error?.code == .integrity)
        #expect(error?.message.contains("'etc/cron.d/x'") == true)
        #expect(ArchiveExtractor(allowedTopLevel: allowed, allowsLinks: false).allowsLinks == false)
    }

    @Test func linksCanBeForbiddenEntirely() async throws {
        let fx = try ArchiveFixture()
        let archive = try await fx.archive("f('a'); sym('b', 'a')")
        let error = #expect(throws: AgentError.self) {
            try ArchiveExtractor(allowsLinks: false).extract(file: archive, into: fx.dest)
        }
        #expect(error?.message.contains("'b'") == true)
    }

    @Test func destinationBehindASymlinkIsExtractedIntoItsTarget() async throws {
        let fx = try ArchiveFixture()
        try fx.dir.mkdir("real")
        try fx.dir.symlink("alias", to: "real")
        let good = try await fx.archive("d('a'); f('a/b', b'content', 0o600); sym('a/c', 'b'); hard('a/h', 'a/b')", name: "good.tgz")
        let cwdBefore = getcwd(nil, 0).map { p in defer { free(p) }; return String(cString: p) }
        let result = try ArchiveExtractor().extract(file: good, into: fx.dir.url("alias"))
        // The process's working directory is untouched (extraction has its own on a private thread).
        #expect(getcwd(nil, 0).map { p in defer { free(p) }; return String(cString: p) } == cwdBefore)
        #expect(result.entries.map(\.name) == ["a/", "a/b", "a/c", "a/h"])
        #expect(FileIO.kind(fx.dir.url("alias"), followLinks: false) == .symlink)
        #expect(FileIO.read(fx.dir.url("real/a/b")) == Array("content".utf8))
        #expect(FileIO.attributes(fx.dir.url("real/a/b"))?.mode == 0o600)
        #expect(FileIO.kind(fx.dir.url("real/a/c"), followLinks: false) == .symlink)
        #expect(FileIO.read(fx.dir.url("real/a/c")) == Array("content".utf8))
        var a = stat(), b = stat()
        #expect(lstat(fx.dir.url("real/a/h"), &a) == 0 && lstat(fx.dir.url("real/a/b"), &b) == 0 && a.st_ino == b.st_ino)
        // A hostile archive into the aliased destination is still refused and the sibling stays empty.
        let bad = try await fx.archive("sym('x', '../../sentinel'); f('x/pwned')", name: "bad.tgz")
        #expect(throws: AgentError.self) { try ArchiveExtractor().extract(file: bad, into: fx.dir.url("alias")) }
        #expect(fx.tree("sentinel").isEmpty)
        #expect(fx.topLevel == ["alias", "bad.tgz", "dest", "good.tgz", "real", "sentinel"])
    }

    @Test func aSymlinkAlreadyInTheDestinationIsNotFollowed() async throws {
        let fx = try ArchiveFixture()
        try fx.dir.symlink("dest/out", to: fx.sentinel)
        let archive = try await fx.archive("f('out/pwned')")
        let error = #expect(throws: AgentError.self) { try ArchiveExtractor().extract(file: archive, into: fx.dest) }
        #expect(error?.code == .integrity)
        #expect(fx.tree("sentinel").isEmpty)
    }

    @Test func expansionBeyondTheLimitIsRefused() async throws {
        let fx = try ArchiveFixture()
        let archive = try await fx.archive("f('small', b'1' * 1000); f('zeros', bytes(3 << 20))")
        #expect((FileIO.read(archive)?.count ?? .max) < 20_000)
        let error = #expect(throws: AgentError.self) {
            try ArchiveExtractor(maximumExtractedBytes: 1 << 20).extract(file: archive, into: fx.dest)
        }
        #expect(error?.code == .integrity)
        #expect(error?.message.contains("'zeros'") == true)
        try fx.dir.mkdir("second")
        let ok = try ArchiveExtractor(maximumExtractedBytes: 4 << 20).extract(file: archive, into: fx.dir.url("second"))
        #expect(ok.entries.map(\.size) == [1000, 3 << 20])
    }

    @Test func notGzipOrCorruptInputIsRefused() async throws {
        let fx = try ArchiveFixture()
        try fx.dir.write("plain/a", "a")
        _ = try await Oracle.output(["tar", "cf", fx.dir.url("plain.tar"), "-C", fx.dir.url("plain"), "a"])
        let plain = #expect(throws: AgentError.self) { try ArchiveExtractor().extract(file: fx.dir.url("plain.tar"), into: fx.dest) }
        #expect(plain?.code == .integrity)
        try fx.dir.write("junk.tgz", bytes: [0x1f, 0x8b, 0x08] + (try SecureRandom.bytes(2000)))
        let junk = #expect(throws: AgentError.self) { try ArchiveExtractor().extract(file: fx.dir.url("junk.tgz"), into: fx.dest) }
        #expect(junk?.code == .integrity)
        #expect(fx.tree("dest").isEmpty)
        // An offset beyond the end of the input.
        let short = #expect(throws: AgentError.self) {
            try ArchiveExtractor().extract(file: fx.dir.url("junk.tgz"), skipping: 5000, into: fx.dest)
        }
        #expect(short?.code == .integrity)
    }
}
