import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer bundle fetch URL -o FILE`.
struct BundleFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a bundle (TLS verified, proxy, retries, resume) and verify its checksum.",
        discussion: """
            The file appears at FILE only when it is complete and verified. The checksum comes from --sha256,
            --sha256sums (file or URL) or <URL>.sha256sums on the server; a mismatch exits 80. Network failures:
            host unresolvable 7, proxy (including 407) 4, HTTP status 6, other transport/TLS problems 8.
            """
    )

    @Argument(help: "The bundle's http(s) URL.")
    var url: String

    @Option(name: .customShort("o"), help: "Where to write the bundle.")
    var output: String

    @OptionGroup var checksum: BundleChecksumOptions

    @OptionGroup var network: BundleNetworkOptions

    @Option(help: "Output format: text or json.")
    var format: BundleOutputFormat = .text

    func run() async throws {
        do {
            let progress = try BundleProgressRenderer(file: network.progressFile)
            defer { progress.finish() }
            let result = try await BundleRemote.fetch(
                url: url, to: output, sha256: checksum.sha256, sha256sums: checksum.sha256sums,
                configuration: try network.configuration(), progress: progress.handler)
            progress.finish()
            switch format {
            case .json: print(try BundleCLI.json(result))
            case .text:
                print("Fetched \(result.bytes) bytes to \(result.file)")
                print("SHA-256 \(result.sha256) " + (result.verifiedAgainst.map { "verified against \($0)" } ?? "not verified (no checksum given or published)"))
            }
        } catch let error as AgentError {
            throw BundleCLI.fail(error)
        }
    }
}
