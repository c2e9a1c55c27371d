import AgentSupport

/// A bundle given as an http(s) URL (`install --bundle URL`, `plan --bundle URL`), downloaded into a private
/// temporary directory (mode 0700 under `$TMPDIR` or /tmp) and verified as `bundle fetch` verifies: `--sha256`,
/// `--sha256sums FILE|URL`, or `<URL>.sha256sums` when the server publishes one (a mismatch is 80, nothing kept).
/// The file is then used exactly as a local bundle file; `remove()` deletes it and its directory.
public struct BundleDownload: Sendable {
    /// The downloaded bundle file.
    public var file: String
    /// The private directory holding it.
    public var directory: String
    /// The checksum the download was verified against (nil when none was given or published), for the extraction
    /// that reads the file again.
    public var expected: BundleDigest?
    /// What the transfer did (bytes, digest, attempts).
    public var fetched: BundleRemote.FetchResult

    /// True when `bundle` names an http(s) URL rather than a file.
    public static func isURL(_ bundle: String) -> Bool {
        bundle.hasPrefix("https://") || bundle.hasPrefix("http://")
    }

    /// Downloads and verifies `url`. Network failures carry their codes (DNS 7, proxy 4, HTTP status 6, other
    /// transport or TLS problems 8); on any failure nothing is left behind.
    public static func fetch(url: String, sha256: String?, sha256sums: String?,
                             configuration: HTTPClientConfiguration) async throws(AgentError) -> BundleDownload {
        var name = BundleRemote.fileName(of: url)
        if name.isEmpty || name == "." || name == ".." || name.contains(":") { name = "bundle.sh" }
        let directory = try InstallSession.temporaryDirectory()
        do throws(AgentError) {
            let fetched = try await BundleRemote.fetch(url: url, to: directory + "/" + name, sha256: sha256,
                                                       sha256sums: sha256sums, configuration: configuration,
                                                       progress: nil)
            let expected = fetched.verifiedAgainst.map { BundleDigest(hex: fetched.sha256, source: $0) }
            return BundleDownload(file: fetched.file, directory: directory, expected: expected, fetched: fetched)
        } catch {
            try? FileIO.removeTree(directory)
            throw error
        }
    }

    /// Removes the downloaded file and its directory.
    public func remove() { try? FileIO.removeTree(directory) }
}
