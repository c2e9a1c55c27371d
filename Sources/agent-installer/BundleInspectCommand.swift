import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer bundle inspect FILE`: version, flavours, packages, kits and extras of a bundle.
struct BundleInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's version, OpenSSL flavours, packages, provider kits and extras.",
        discussion: """
            Reads the vendor's shell bundle (script header + gzip'd tar payload) or a bare .tar.gz payload without
            executing anything. The checksum is verified when given or when <FILE>.sha256sums is next to it
            (mismatch: exit 80). Not a bundle, a truncated payload or a wrong header: exit 2.
            """
    )

    @Argument(help: "The bundle file (omsagent-<version>.universal.x64.sh) or a bare payload (.tar.gz).")
    var file: String

    @Option(help: "Output format: text or json.")
    var format: BundleOutputFormat = .text

    @Option(name: .customLong("sha256"), help: "Expected SHA-256 of the file (64 hex digits).")
    var sha256: String?

    @Option(name: .customLong("sha256sums"), help: "A sha256sum file listing the bundle.")
    var sha256sums: String?

    func run() async throws {
        do {
            print(try Self.execute(file: file, sha256: sha256, sha256sums: sha256sums, format: format), terminator: "")
        } catch let error as AgentError {
            throw BundleCLI.fail(error)
        }
    }

    /// Inspects and renders; the reusable entry point.
    static func execute(file: String, sha256: String?, sha256sums: String?, format: BundleOutputFormat) throws -> String {
        let expected = try BundleDigest.forLocalBundle(path: file, sha256: sha256, sumsFile: sha256sums)
        let report = try BundleInspection.inspect(path: file, expected: expected)
        switch format {
        case .json: return try BundleCLI.json(report) + "\n"
        case .text: return render(report)
        }
    }

    static func render(_ r: BundleInspection) -> String {
        var out = ""
        let layout = r.header.layout == .shellBundle
            ? "shell bundle, \(r.header.scriptLength)-line script, payload at byte \(r.header.payloadOffset)"
            : "bare tar.gz payload"
        out += "Bundle:        \(r.file) (\(layout), \(r.size) bytes)\n"
        out += "Version:       \(r.version ?? "unknown (no header)")\n"
        if r.header.layout == .shellBundle {
            out += "Install type:  \(r.header.installType.isEmpty ? "universal (deb and rpm)" : r.header.installType)\n"
        }
        out += "SHA-256:       \(r.sha256)"
        out += r.verifiedAgainst.map { " (verified against \($0))\n" } ?? " (not verified: no checksum given or found)\n"
        out += "Flavours:      \(r.manifest.flavours.isEmpty ? "none" : r.manifest.flavours.joined(separator: " "))\n"
        out += "Packages:\n"
        var byName: [String: (version: String, formats: [String])] = [:]
        var order: [String] = []
        for p in r.manifest.distinctPackages {
            let key = "\(p.name) \(p.version)"
            if byName[key] == nil { order.append(key); byName[key] = (p.version, []) }
            byName[key]!.formats.append(p.format)
        }
        for key in order {
            let name = String(key.split(separator: " ")[0])
            let entry = byName[key]!
            out += "  " + pad(name, 12) + pad(entry.version, 14) + entry.formats.joined(separator: " ") + "\n"
        }
        out += "Provider kits:\n"
        for kit in r.manifest.kits {
            out += "  " + pad(kit.name, 12) + kit.path + (kit.testPath.map { " (test: \($0))" } ?? " (no test script)") + "\n"
        }
        out += "Extras:\n"
        for extra in r.manifest.extras { out += "  \(extra)\n" }
        if !r.manifest.inconsistentBaseNames.isEmpty {
            out += "Warning: not in every flavour directory: \(r.manifest.inconsistentBaseNames.joined(separator: ", "))\n"
        }
        for refused in r.refusedEntries { out += "Refused entry: \(refused)\n" }
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
