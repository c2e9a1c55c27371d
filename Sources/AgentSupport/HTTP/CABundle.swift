#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The PEM file of trusted certificate authorities that TLS transfers verify servers against.
///
/// The release binary's libcurl and OpenSSL are static and carry no compiled-in CA path, so the bundle is always
/// given to libcurl explicitly: `--cacert FILE` when the user names one, otherwise the first usable bundle at the
/// distributions' usual paths under a `HostRoot` (`searchPaths`, in order). Usable means a regular file (symlinks
/// followed inside the root) that holds at least one PEM certificate.
public struct CABundle: Sendable, Hashable {
    /// Where distributions keep the system bundle, most common first.
    public static let searchPaths: [String] = [
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu (ca-certificates)
        "/etc/pki/tls/certs/ca-bundle.crt",                   // RHEL, CentOS, Oracle Linux, Fedora, Amazon Linux
        "/etc/ssl/ca-bundle.pem",                             // SUSE, openSUSE
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+ (ca-trust extracted)
        "/etc/ssl/cert.pem",                                  // Alpine, Arch, others
    ]

    /// The host path the bundle was found at (e.g. `/etc/ssl/certs/ca-certificates.crt`); for an explicit file,
    /// the path as given.
    public let hostPath: String
    /// The real path to hand to libcurl (`CURLOPT_CAINFO`).
    public let path: String

    /// The first usable system bundle under `root`, nil when the host has none.
    public static func system(in root: HostRoot) -> CABundle? {
        for candidate in searchPaths {
            guard let real = root.resolve(candidate), holdsCertificate(real) else { continue }
            return CABundle(hostPath: candidate, path: real)
        }
        return nil
    }

    /// The bundle for a transfer: `explicit` (a path on the machine running the tool, e.g. `--cacert`) when
    /// given, otherwise the system bundle under `root`.
    ///
    /// Throws `.usage` when the explicit file is missing or holds no certificate, and `.systemProblem` when no
    /// explicit file is given and the host has no bundle.
    public static func locate(explicit: String?, in root: HostRoot) throws(AgentError) -> CABundle {
        if let explicit {
            guard holdsCertificate(explicit) else {
                throw AgentError(.usage, "CA file \(explicit) is not a readable PEM file with a certificate")
            }
            return CABundle(hostPath: explicit, path: explicit)
        }
        guard let found = system(in: root) else {
            throw AgentError(
                .systemProblem, "no CA certificate bundle found (looked at \(searchPaths.joined(separator: ", ")))",
                hint: "install the ca-certificates package or pass --cacert FILE")
        }
        return found
    }

    /// True when `path` is a regular file (after links) containing a PEM certificate block.
    static func holdsCertificate(_ path: String) -> Bool {
        guard FileIO.kind(path, followLinks: true) == .regular, let bytes = FileIO.read(path) else { return false }
        return String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
    }
}
