import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The shell-bundle header parser against bundles built by fixtures/make-bundle, and damaged copies of them.
@Suite("Bundle header")
struct BundleHeaderTests {
    /// Bytes of a file.
    func bytes(_ path: String) throws -> [UInt8] {
        guard let b = FileIO.read(path, limit: 256 << 20) else { throw AgentError(.internalError, "cannot read \(path)") }
        return b
    }

    /// Expects `body` to throw an AgentError with `code`; returns its message.
    func refusal(_ code: ExitCode, _ body: () throws -> Void) -> String? {
        do {
            try body()
            Issue.record("expected exit \(code.rawValue)")
            return nil
        } catch let error as AgentError {
            #expect(error.code == code, "\(error.message)")
            return error.message
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("the fixture bundle: header values, version, payload offset agree with head/tail and gzip")
    func goodBundle() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let file = try BundleFile(path: path)
        let h = file.header
        #expect(h.layout == .shellBundle)
        #expect(h.omsPackage == "omsagent-1.14.19-0.universal.x64")
        #expect(h.omiPackage == "omi-1.6.10-2.ulinux.s.x64")
        #expect(h.scxPackage == "scx-1.6.10-1.universal.s.x64")
        #expect(h.dscPackage == "omsconfig-1.1.1-932.universal.x64")
        #expect(h.installType == "")
        #expect(h.version == "1.14.19.0")
        #expect(h.versionRelease == "1.14.19-0")
        // Oracle: the bundle script's own --version, and head -n SCRIPT_LEN | wc -c for the offset.
        let v = try await Oracle.output(["sh", path, "--version"])
        #expect(v == "Version: \(h.version!)\n")
        let head = try await Oracle.output(["sh", "-c", "head -n \"$1\" \"$2\" | wc -c", "sh", String(h.scriptLength), path])
        #expect(Int(head.trimmingPrefix(" ").split(separator: "\n").first ?? "") == h.payloadOffset)
        let all = try bytes(path)
        let payload = Array(all[h.payloadOffset...])
        let listing = try await Oracle.output(["tar", "tzf", "-"], input: payload)
        #expect(listing.contains("300/omsagent-1.14.19-0.universal.x64.deb"))
        #expect(file.payloadSize == payload.count)
    }

    @Test("the newer fixture bundle carries the upgrade versions")
    func newerBundle() async throws {
        let dir = TemporaryDirectory()
        let h = try BundleFile(path: try await Fixtures.bundle(in: dir.path, version: "1.14.20-0")).header
        #expect(h.version == "1.14.20.0")
        #expect(h.omiPackage == "omi-1.6.11-0.ulinux.s.x64")
        #expect(h.dscPackage == "omsconfig-1.1.1-933.universal.x64")
    }

    @Test("a wrong SCRIPT_LEN (consistent pair) is refused with exit 2", arguments: [-1, 1, 5])
    func wrongLength(delta: Int) async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let good = try BundleFile(path: path).header
        var text = try bytes(path)
        let n = good.scriptLength
        text = replace(in: text, "SCRIPT_LEN=\(n)\nSCRIPT_LEN_PLUS_ONE=\(n + 1)\n",
                       with: "SCRIPT_LEN=\(n + delta)\nSCRIPT_LEN_PLUS_ONE=\(n + delta + 1)\n")
        try dir.write("bad.sh", bytes: text)
        _ = refusal(.usage) { _ = try BundleFile(path: dir.url("bad.sh")) }
    }

    @Test("SCRIPT_LEN_PLUS_ONE that is not SCRIPT_LEN + 1 is refused")
    func plusOneMismatch() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let n = try BundleFile(path: path).header.scriptLength
        let text = replace(in: try bytes(path), "SCRIPT_LEN_PLUS_ONE=\(n + 1)\n", with: "SCRIPT_LEN_PLUS_ONE=\(n + 2)\n")
        try dir.write("bad.sh", bytes: text)
        let message = refusal(.usage) { _ = try BundleFile(path: dir.url("bad.sh")) }
        #expect(message?.contains("SCRIPT_LEN_PLUS_ONE") == true)
    }

    @Test("a payload that is not gzip is refused")
    func notGzip() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let h = try BundleFile(path: path).header
        var text = Array(try bytes(path)[..<h.payloadOffset])
        text += Array("BZh91AY&SY this is not gzip".utf8)
        try dir.write("bad.sh", bytes: text)
        let message = refusal(.usage) { _ = try BundleFile(path: dir.url("bad.sh")) }
        #expect(message?.contains("gzip") == true)
    }

    @Test("truncated files are refused: inside the script, and right after it")
    func truncated() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let all = try bytes(path)
        let h = try BundleFile(path: path).header
        for cut in [20, h.payloadOffset - 10, h.payloadOffset, h.payloadOffset + 2] {
            try dir.write("cut.sh", bytes: Array(all[..<cut]))
            _ = refusal(.usage) { _ = try BundleFile(path: dir.url("cut.sh")) }
        }
    }

    @Test("files that are not bundles are refused with exit 2", arguments: [
        "", "hello world\n", "#!/bin/sh\necho hi\n", "\u{7f}ELF\u{02}\u{01}\u{01}",
        "#!/bin/sh\nOMS_PKG=omsagent-1.0.0-1.universal.x64\nSCRIPT_LEN=$(rm -rf /)\nSCRIPT_LEN_PLUS_ONE=4\n#\n",
    ])
    func notABundle(content: String) throws {
        let dir = TemporaryDirectory()
        try dir.write("x.sh", content)
        _ = refusal(.usage) { _ = try BundleFile(path: dir.url("x.sh")) }
    }

    @Test("a missing file and a directory are refused with exit 2")
    func missing() {
        let dir = TemporaryDirectory()
        _ = refusal(.usage) { _ = try BundleFile(path: dir.url("absent.sh")) }
        _ = refusal(.usage) { _ = try BundleFile(path: dir.path) }
    }

    @Test("a bare .tar.gz payload is recognised with the payload at offset 0")
    func bareTarball() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let h = try BundleFile(path: path).header
        try dir.write("payload.tar.gz", bytes: Array(try bytes(path)[h.payloadOffset...]))
        let bare = try BundleFile(path: dir.url("payload.tar.gz"))
        #expect(bare.header.layout == .tarball)
        #expect(bare.header.payloadOffset == 0)
        #expect(bare.header.version == nil)
    }

    func replace(in bytes: [UInt8], _ old: String, with new: String) -> [UInt8] {
        let o = Array(old.utf8)
        guard let i = (0...(bytes.count - o.count)).first(where: { Array(bytes[$0..<$0 + o.count]) == o }) else {
            Issue.record("pattern not found: \(old)")
            return bytes
        }
        return Array(bytes[..<i]) + Array(new.utf8) + Array(bytes[(i + o.count)...])
    }
}
