import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// Inspect and extract of local bundles: the fixture bundle, checksum mismatches, truncated payloads and hostile
/// archives. The oracle for extracted content is the system `tar` and `sha256sum`.
@Suite("Bundle inspect and extract")
struct BundleExtractionTests {
    func code(_ body: () throws -> Void) -> ExitCode? {
        do { try body(); return nil } catch let e as AgentError { return e.code } catch { return .internalError }
    }

    @Test("inspect lists what tar lists and verifies against the sums file next to the bundle")
    func inspect() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let expected = try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: nil)
        #expect(expected?.source == path + ".sha256sums")
        let report = try BundleInspection.inspect(path: path, expected: expected)
        let oracle = try await Oracle.output(["sha256sum", path])
        #expect(report.sha256 == String(oracle.prefix(64)))
        #expect(report.verifiedAgainst == path + ".sha256sums")
        #expect(report.version == "1.14.19.0")
        #expect(report.manifest.flavours == ["100", "110", "300"])
        #expect(report.manifest.packages.count == 24)
        #expect(report.refusedEntries.isEmpty)
    }

    @Test("extract: the destination holds exactly what tar extracts, byte for byte")
    func extract() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let offset = try BundleFile(path: path).header.payloadOffset
        let result = try BundleExtraction.extract(path: path, destination: dir.url("out"),
                                                  expected: try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: nil))
        #expect(result.destination == dir.url("out"))
        #expect(result.verifiedAgainst != nil)
        try dir.mkdir("oracle")
        _ = try await Oracle.output(["sh", "-c", "tail -c +\"$1\" \"$2\" | tar -xzf - -C \"$3\"", "sh",
                                     String(offset + 1), path, dir.url("oracle")])
        let diff = try await Oracle.run(["diff", "-r", dir.url("oracle"), dir.url("out")])
        #expect(diff.succeeded, "\(diff.standardOutput)")
        // No staging directory is left next to the destination.
        #expect(FileIO.list(dir.path).filter { $0.contains("staging") }.isEmpty)
        // Package files are intact: dpkg-deb reads one.
        let info = try await Oracle.output(["dpkg-deb", "-f", dir.url("out/300/omsagent-1.14.19-0.universal.x64.deb"), "Depends"])
        #expect(info == "omi (>= 1.3.0.2), scx (>= 1.6.3.212)\n")
    }

    @Test("a checksum mismatch is refused with 80 and nothing is extracted", arguments: ["sha256", "sums-file", "next-to"])
    func mismatch(kind: String) async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let wrong = String(repeating: "0", count: 64)
        let expected: BundleDigest?
        switch kind {
        case "sha256": expected = try BundleDigest.forLocalBundle(path: path, sha256: wrong, sumsFile: nil)
        case "sums-file":
            try dir.write("other.sha256sums", "\(wrong)  omsagent-1.14.19-0.universal.x64.sh\n")
            expected = try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: dir.url("other.sha256sums"))
        default:
            try dir.write("omsagent-1.14.19-0.universal.x64.sh.sha256sums", "\(wrong)  omsagent-1.14.19-0.universal.x64.sh\n")
            expected = try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: nil)
        }
        #expect(code { _ = try BundleExtraction.extract(path: path, destination: dir.url("out"), expected: expected) } == .integrity)
        #expect(!dir.exists("out"))
        #expect(FileIO.list(dir.path).filter { $0.contains("staging") }.isEmpty)
        #expect(code { _ = try BundleInspection.inspect(path: path, expected: expected) } == .integrity)
    }

    @Test("one changed payload byte is caught by the checksum (80), nothing extracted")
    func flippedByte() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        var bytes = FileIO.read(path)!
        bytes[bytes.count - 100] ^= 0x01
        try dir.write("omsagent-1.14.19-0.universal.x64.sh", bytes: bytes)
        let expected = try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: nil)
        #expect(code { _ = try BundleExtraction.extract(path: path, destination: dir.url("out"), expected: expected) } == .integrity)
        #expect(!dir.exists("out"))
    }

    @Test("a truncated payload: exit 2 without a checksum, 80 with one; nothing extracted")
    func truncatedPayload() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let all = FileIO.read(path)!
        try dir.write("cut.sh", bytes: Array(all[..<(all.count * 2 / 3)]))
        #expect(code { _ = try BundleInspection.inspect(path: dir.url("cut.sh"), expected: nil) } == .usage)
        #expect(code { _ = try BundleExtraction.extract(path: dir.url("cut.sh"), destination: dir.url("out"), expected: nil) } == .usage)
        #expect(!dir.exists("out"))
        let sums = try BundleDigest.forLocalBundle(path: path, sha256: nil, sumsFile: nil)
        #expect(code { _ = try BundleExtraction.extract(path: dir.url("cut.sh"), destination: dir.url("out"), expected: sums) } == .integrity)
        #expect(!dir.exists("out"))
    }

    @Test("a destination that exists and is not empty is refused (2), its content untouched")
    func existingDestination() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        try dir.write("out/keep.txt", "mine")
        #expect(code { _ = try BundleExtraction.extract(path: path, destination: dir.url("out"), expected: nil) } == .usage)
        #expect(dir.read("out/keep.txt") == "mine")
        try dir.mkdir("empty")
        _ = try BundleExtraction.extract(path: path, destination: dir.url("empty"), expected: nil)
        #expect(dir.exists("empty/300/omi-1.6.10-2.ulinux.s.x64.rpm"))
    }

    @Test("hostile archives are refused with 80, the entry named, nothing written outside or at the destination",
          arguments: ["absolute", "dotdot", "symlink", "abs-symlink", "hardlink", "device", "fifo", "setuid", "setgid", "toplevel"])
    func hostile(kind: String) async throws {
        let dir = TemporaryDirectory()
        let work = dir.url("work")
        try dir.mkdir("work")
        let path = try await Fixtures.hostileBundle(in: work, kind: kind)
        // Escapes would land in dir (relative ones, two levels up from the destination) or at the absolute name.
        let before = try await Oracle.output(["find", dir.path, "-printf", "%p\n"])
        do {
            _ = try BundleExtraction.extract(path: path, destination: work + "/out", expected: nil)
            Issue.record("hostile \(kind) accepted")
        } catch {
            #expect(error.code == .integrity)
            #expect(error.message.contains("archive entry '"))
        }
        let after = try await Oracle.output(["find", dir.path, "-printf", "%p\n"])
        #expect(before == after)
        #expect(FileIO.kind("/tmp/agent-fixture-escape/owned", followLinks: false) == nil)
        #expect(!FileIO.list(work).contains { $0 == "out" || $0.contains("staging") })
        // inspect reports the refused entry instead of failing.
        let report = try BundleInspection.inspect(path: path, expected: nil)
        #expect(report.refusedEntries.count >= 1)
    }
}
