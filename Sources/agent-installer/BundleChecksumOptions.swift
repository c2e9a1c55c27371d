import ArgumentParser

/// The checksum options shared by `bundle fetch` and `bundle extract`.
struct BundleChecksumOptions: ParsableArguments {
    @Option(name: .customLong("sha256"), help: "Expected SHA-256 of the bundle (64 hex digits).")
    var sha256: String?

    @Option(name: .customLong("sha256sums"), help: "A sha256sum file (path or URL) listing the bundle.")
    var sha256sums: String?
}
