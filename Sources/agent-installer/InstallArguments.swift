import AgentInstaller
import AgentSupport
import ArgumentParser

/// The options shared by `plan` and `install`: the bundle, the root, the mode and the version switches.
/// `--force` is declared by each command (in `install` it is the onboarding group's flag, which then also
/// allows downgrades), so the two option groups do not both claim it.
struct InstallArguments: ParsableArguments {
    @Option(help: "The bundle: a local file (URLs: fetch it with `bundle fetch` first).")
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

    @Option(name: .customLong("sha256sums"), help: "A sha256sum file listing the bundle.")
    var sha256sums: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    /// The plan options; `--install` and `--upgrade` together are a usage error (2).
    func options(force: Bool) throws(AgentError) -> InstallOptions {
        if freshInstall && upgrade { throw AgentError(.usage, "Conflicting qualifiers: --install and --upgrade") }
        return InstallOptions(mode: freshInstall ? .install : .upgrade, force: force, skipDockerProvider: skipDocker,
                              noDigest: noDigest, restartDependencies: restartDeps)
    }

    /// Extracts the bundle and makes the plan (nothing under the root changes).
    func session(force: Bool) async throws(AgentError) -> InstallSession {
        if bundle.hasPrefix("http://") || bundle.hasPrefix("https://") {
            throw AgentError(.usage, "give a local bundle file; download it first with `agent-installer bundle fetch`")
        }
        let expected = try BundleDigest.forLocalBundle(path: bundle, sha256: sha256, sumsFile: sha256sums)
        return try await InstallSession.prepare(root: try HostRoot(root), bundlePath: bundle, expected: expected,
                                                options: try options(force: force))
    }
}
