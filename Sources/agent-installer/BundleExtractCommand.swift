import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer bundle extract FILE|URL --dest DIR`.
struct BundleExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Verify and unpack a bundle's payload into a new directory.",
        discussion: """
            The payload is unpacked into a private staging directory next to DIR and moved to DIR only when every
            entry was accepted and the checksum matched (exit 80 otherwise, nothing left behind). A URL is fetched,
            hashed and unpacked in one pass over the bytes.
            """
    )

    @Argument(help: "The bundle file, or an http(s) URL.")
    var source: String

    @Option(help: "The directory to create with the payload (must not exist, or be empty).")
    var dest: String

    @OptionGroup var checksum: BundleChecksumOptions

    @OptionGroup var network: BundleNetworkOptions

    @Option(help: "Output format: text or json.")
    var format: BundleOutputFormat = .text

    func run() async throws {
        do {
            let result: BundleExtraction
            if BundleCLI.isURL(source) {
                let progress = try BundleProgressRenderer(file: network.progressFile)
                defer { progress.finish() }
                result = try await BundleRemote.extract(
                    url: source, destination: dest, sha256: checksum.sha256, sha256sums: checksum.sha256sums,
                    configuration: try network.configuration(), progress: progress.handler)
            } else {
                let expected = try BundleDigest.forLocalBundle(path: source, sha256: checksum.sha256, sumsFile: checksum.sha256sums)
                result = try BundleExtraction.extract(path: source, destination: dest, expected: expected)
            }
            switch format {
            case .json: print(try BundleCLI.json(result))
            case .text:
                print("Extracted \(result.entries) entries (version \(result.version ?? "unknown")) to \(result.destination)")
                print("SHA-256 \(result.sha256) " + (result.verifiedAgainst.map { "verified against \($0)" } ?? "not verified (no checksum given or found)"))
            }
        } catch let error as AgentError {
            throw BundleCLI.fail(error)
        }
    }
}
