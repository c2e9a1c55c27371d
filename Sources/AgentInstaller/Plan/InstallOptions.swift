/// The switches that shape an install plan (agent contract §3, with separate switches instead of one `--force`).
public struct InstallOptions: Sendable, Codable, Equatable {
    /// `--install` (fresh install: an existing omi/scx stops it with 23) or `--upgrade` (the default).
    public enum Mode: String, Sendable, Codable { case install, upgrade }

    /// The mode.
    public var mode: Mode
    /// Allow downgrades (dpkg loses `--refuse-downgrade`, rpm gets `--force`).
    public var force: Bool
    /// Skip the `docker` provider kit.
    public var skipDockerProvider: Bool
    /// rpm `--nodigest --nofiledigest`.
    public var noDigest: Bool
    /// `--restart-deps`, passed to the provider kits and auoms.
    public var restartDependencies: Bool = false

    /// Creates options; the defaults are the recommended `--upgrade` without force.
    public init(mode: Mode = .upgrade, force: Bool = false, skipDockerProvider: Bool = false, noDigest: Bool = false,
                restartDependencies: Bool = false) {
        self.restartDependencies = restartDependencies
        self.mode = mode
        self.force = force
        self.skipDockerProvider = skipDockerProvider
        self.noDigest = noDigest
    }
}
