import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A good bundle-like stream (junk prefix, then tar.gz) read from a pipe, checked against `tar` and `sha256sum`.
@Suite struct ArchiveStreamTests {
    @Test func extractsFromAPipeAfterAnOffsetAndObservesEveryByte() async throws {
        let fx = try ArchiveFixture()
        // A source tree with random content, made by python, archived by GNU tar as `./…` names.
        _ = try await Oracle.output(["python3", "-c", """
            import os, sys
            root = sys.argv[1]
            for d in ['100', '110', '300/sub/deeper', 'oss-kits', 'bundles/v1']:
                os.makedirs(os.path.join(root, d), exist_ok=True)
            sizes = {'100/omi.deb': 70000, '110/omi.deb': 1, '300/sub/deeper/x.rpm': 0, 'oss-kits/docker.sh': 5000,
                     'bundles/v1/auoms.sh': 1 << 20, '100/notes.txt': 123}
            for name, size in sizes.items():
                with open(os.path.join(root, name), 'wb') as f: f.write(os.urandom(size))
            os.chmod(os.path.join(root, 'oss-kits/docker.sh'), 0o755)
            os.chmod(os.path.join(root, '100/notes.txt'), 0o600)
            """, fx.dir.url("src")])
        _ = try await Oracle.output(["tar", "czf", fx.dir.url("payload.tgz"), "-C", fx.dir.url("src"), "."])
        let prefix = try SecureRandom.bytes(12345)
        let payload = try #require(FileIO.read(fx.dir.url("payload.tgz")))
        try fx.dir.write("bundle.sh", bytes: prefix + payload)

        var payloadHash = SHA256()
        var prefixHash = SHA256()
        var wholeHash = SHA256()
        var order: [ArchiveStreamPart] = []
        let (fd, pid) = try pipeFromFile(fx.dir.url("bundle.sh"))
        defer { close(fd) }
        let result = try ArchiveExtractor(allowedTopLevel: ["100", "110", "300", "oss-kits", "bundles"])
            .extract(from: fd, skipping: Int64(prefix.count), into: fx.dest) { part, bytes in
                switch part {
                case .prefix: prefixHash.update(bytes)
                case .payload: payloadHash.update(bytes)
                }
                wholeHash.update(bytes)
                if order.last != part { order.append(part) }
            }
        #expect(waitChild(pid) == 0)
        #expect(order == [.prefix, .payload])
        #expect(result.prefixBytes == Int64(prefix.count))
        #expect(result.payloadBytes == Int64(payload.count))

        let payloadSum = try await Oracle.output(["sha256sum", fx.dir.url("payload.tgz")])
        #expect(Hex.encode(payloadHash.finalize()) == String(payloadSum.prefix(64)))
        #expect(prefixHash.finalize() == SHA256.hash(prefix))
        let wholeSum = try await Oracle.output(["sha256sum", fx.dir.url("bundle.sh")])
        #expect(Hex.encode(wholeHash.finalize()) == String(wholeSum.prefix(64)))

        // Exactly the entries `tar tzf` lists, with identical content and modes.
        let listing = try await Oracle.output(["tar", "tzf", fx.dir.url("payload.tgz")])
        let expected = Set(listing.split(separator: "\n").map { normalize(String($0)) }.filter { !$0.isEmpty })
        #expect(Set(result.entries.map { normalize($0.name) }) == expected)
        #expect(Set(fx.tree("dest").map { String($0.dropFirst("dest/".count)) }) == expected)
        for name in expected where FileIO.kind(fx.dir.url("src/" + name), followLinks: false) == .regular {
            #expect(FileIO.read(fx.dest + "/" + name) == FileIO.read(fx.dir.url("src/" + name)), "\(name)")
            #expect(FileIO.attributes(fx.dest + "/" + name)?.mode == FileIO.attributes(fx.dir.url("src/" + name))?.mode)
        }
        #expect(FileIO.attributes(fx.dest + "/oss-kits/docker.sh")?.mode == 0o755)
        #expect(FileIO.attributes(fx.dest + "/100/notes.txt")?.mode == 0o600)
        #expect(fx.tree("sentinel").isEmpty)
    }

    @Test func listingFromAPipeMatchesTar() async throws {
        let fx = try ArchiveFixture()
        // pax names longer than 100 characters and a symlink inside the tree.
        let long = String(repeating: "n", count: 150)
        let archive = try await fx.archive("f('a/\(long)', b'pax'); d('a/dir'); sym('a/link', '\(long)')")
        try fx.dir.write("junk-then-archive", bytes: Array("#!/bin/sh\nexit 0\n".utf8) + (try #require(FileIO.read(archive))))
        let (fd, pid) = try pipeFromFile(fx.dir.url("junk-then-archive"))
        defer { close(fd) }
        var seen = 0
        let entries = try ArchiveExtractor().list(from: fd, skipping: 17) { _, bytes in seen += bytes.count }
        #expect(waitChild(pid) == 0)
        #expect(seen == 17 + (FileIO.read(archive)?.count ?? 0))
        let listing = try await Oracle.output(["tar", "tzf", archive])
        #expect(entries.map(\.name) == listing.split(separator: "\n").map(String.init))
        #expect(entries.allSatisfy { $0.refusal == nil })
        #expect(entries.map(\.kind) == [.file, .directory, .symlink])
        #expect(fx.tree("dest").isEmpty)
    }

    private func normalize(_ name: String) -> String {
        name.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
