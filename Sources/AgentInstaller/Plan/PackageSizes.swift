import AgentSupport
import Preflight

/// The installed sizes of a bundle's packages (for the disk check): dpkg `Installed-Size` × 1024 of each `.deb`,
/// rpm `%{SIZE}` of each `.rpm`.
///
/// Both are read in process (`DebianPackageFile`, `RPMPackageHeader`): a child per package (dpkg-deb spawns tar and
/// rm for each) cost about 150 ms before the first dpkg ran. Only a `.deb` whose `control.tar` is not gzip or plain
/// (xz, zstd) is asked of `dpkg-deb --field`.
public enum PackageSizes {
    /// Installed bytes by package name for the packages of `flavour` in the format of `manager`; a package whose
    /// size cannot be read is left out (the plan then counts its file size).
    public static func read(manifest: BundleManifest, bundleDirectory: String, flavour: OpenSSLFlavour,
                            manager: PackageManagerKind, runner: ProcessRunner = ProcessRunner()) async -> [String: Int64] {
        var result: [String: Int64] = [:]
        for package in manifest.packages(flavour: flavour.rawValue, format: manager == .dpkg ? "deb" : "rpm") {
            if let size = await installedSize(of: bundleDirectory + "/" + package.path, manager: manager, runner: runner) {
                result[package.name] = size
            }
        }
        return result
    }

    /// The installed bytes of one package file, nil when it states none or cannot be read.
    public static func installedSize(of file: String, manager: PackageManagerKind,
                                     runner: ProcessRunner = ProcessRunner()) async -> Int64? {
        guard manager == .dpkg else { return try? RPMPackageHeader.installedSize(path: file) }
        switch try? DebianPackageFile.control(path: file) {
        case .control(let bytes):
            return DpkgStatus(bytes: bytes).packages.first?.installedSizeKiB.map { Int64($0) * 1024 }
        case .unsupported:
            guard let out = try? await runner.run(["dpkg-deb", "--field", file, "Installed-Size"]), out.succeeded,
                  let word = out.standardOutput.split(whereSeparator: \.isWhitespace).first, let kib = Int64(word) else { return nil }
            return kib * 1024
        case nil:
            return nil
        }
    }
}
