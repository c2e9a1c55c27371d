import AgentInstaller
import AgentSupport
import ArgumentParser

/// The options shared by `plan` and `install`: the bundle, the root, the mode and the version switches.
/// `--force` (package level only: downgrade) is declared by each command; re-sending an onboarding
/// request is the onboarding group's separate `--reonboard`.
struct InstallArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The bundle: a local file, or an http(s) URL to download (through -p PROXY, trusting --cacert).",
                               valueName: "file|url"))
    var bundle: String

    @Option(help: "Host root to install into (default /, the live host).")
    var root: String = "/"

    @Flag(name: .customLong("install"), help: "Fresh install: stop with 23 when omi or scx is already installed.")
    var freshInstall = false

    @Flag(name: .customLong("upgrade"), help: "Install, or upgrade older packages (the default).")
    var upgrade = false

    @Flag(name: .customLong("skip-docker-provider-install"), help: "Skip the docker provider kit.")
    var skipDocker = false

    @Flag(name: .customLong("no-digest"), help: "rpm --nodigest --nofiledigest.")
    var noDigest = false

    @Flag(name: .customLong("restart-deps"), help: "Passed to the provider kits and auoms.")
    var restartDeps = false

    @Option(help: "Expected SHA-256 of the bundle.")
    var sha256: String?

    @Option(name: .customLong("sha256sums"),
            help: "A sha256sum file listing the bundle (a URL too, for a URL bundle; default <bundle>.sha256sums).")
    var sha256sums: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    /// The plan options; `--install` and `--upgrade` together are a usage error (2).
    func options(force: Bool) throws(AgentError) -> InstallOptions {
        if freshInstall && upgrade { throw AgentError(.usage, "Conflicting qualifiers: --install and --upgrade") }
        return InstallOptions(mode: freshInstall ? .install : .upgrade, force: force, skipDockerProvider: skipDocker,
                              noDigest: noDigest, restartDependencies: restartDeps)
    }

    /// Extracts the bundle and makes the plan (nothing under the root changes). A URL is downloaded first into a
    /// private temporary file (directly or through `proxy`, trusting `cacert` or the system's CAs), verified as
    /// `bundle fetch` verifies, used exactly as a local file and removed.
    func session(force: Bool, proxy: HTTPProxy?, cacert: String?) async throws(AgentError) -> InstallSession {
        let hostRoot = try HostRoot(root)
        let options = try options(force: force)
        if BundleDownload.isURL(bundle) {
            return try await InstallSession.prepare(root: hostRoot, bundleURL: bundle, sha256: sha256, sha256sums: sha256sums,
                                                    configuration: try Self.download(proxy: proxy, cacert: cacert),
                                                    options: options)
        }
        let expected = try BundleDigest.forLocalBundle(path: bundle, sha256: sha256, sumsFile: sha256sums)
        return try await InstallSession.prepare(root: hostRoot, bundlePath: bundle, expected: expected, options: options)
    }

    /// The HTTP configuration of a bundle download: the proxy (4 when malformed; without one the proxy
    /// environment variables apply, as for `bundle fetch`) and the CA file (2 when it is not a file).
    static func download(proxy: HTTPProxy?, cacert: String?) throws(AgentError) -> HTTPClientConfiguration {
        var config = HTTPClientConfiguration()
        if let cacert {
            guard FileIO.kind(cacert, followLinks: true) == .regular else {
                throw AgentError(.usage, "the CA bundle \(cacert) does not exist")
            }
            config.caFile = cacert
        }
        if let proxy { config.proxy = .proxy(proxy) }
        return config
    }
}
