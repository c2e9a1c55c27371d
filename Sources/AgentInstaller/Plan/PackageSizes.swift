import AgentSupport
import Preflight

/// The installed sizes of a bundle's packages (for the disk check): dpkg `Installed-Size` × 1024 of each `.deb`
/// (`dpkg-deb --field`), rpm `%{SIZE}` of each `.rpm` (`rpm -qp`).
public enum PackageSizes {
    /// Installed bytes by package name for the packages of `flavour` in the format of `manager`; a package whose
    /// size cannot be read is left out (the plan then counts its file size).
    public static func read(manifest: BundleManifest, bundleDirectory: String, flavour: OpenSSLFlavour,
                            manager: PackageManagerKind, runner: ProcessRunner = ProcessRunner()) async -> [String: Int64] {
        var result: [String: Int64] = [:]
        let format = manager == .dpkg ? "deb" : "rpm"
        for package in manifest.packages(flavour: flavour.rawValue, format: format) {
            let file = bundleDirectory + "/" + package.path
            let argv = manager == .dpkg ? ["dpkg-deb", "--field", file, "Installed-Size"]
                : ["rpm", "-qp", "--nosignature", "--nodigest", "--qf", "%{SIZE}", file]
            guard let out = try? await runner.run(argv), out.succeeded,
                  let word = out.standardOutput.split(whereSeparator: \.isWhitespace).first, let value = Int64(word) else { continue }
            result[package.name] = manager == .dpkg ? value * 1024 : value
        }
        return result
    }
}
