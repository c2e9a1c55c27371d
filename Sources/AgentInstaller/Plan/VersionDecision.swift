import AgentSupport

/// Whose version ordering applies: dpkg's on DPKG hosts, rpm's on RPM hosts.
public enum VersionScheme: String, Sendable, Codable, CaseIterable {
    case dpkg
    case rpm
}

/// The agent's "installable" rule (contract §6): normalise installed and bundled versions, order them with the
/// package manager's own semantics, and decide what the package stage does.
public enum VersionDecision {
    /// What a package stage does with one package.
    public enum Action: Sendable, Equatable {
        /// Nothing is installed: add the bundled package.
        case install
        /// The bundled version is strictly newer: upgrade.
        case upgrade
        /// The same version is installed: "Skipping package upgrade" (also with `force`).
        case skip
        /// The bundled version is older and `force` is off: refuse (nothing changes).
        case refuse
        /// The bundled version is older and `force` is on: downgrade.
        case downgrade
        /// A version could not be read under the scheme; the error says which (bundled: `.integrity`,
        /// installed: `.systemProblem`).
        case invalid(AgentError)
    }

    /// Decides the action for one package.
    ///
    /// - Parameters:
    ///   - installed: the installed version as the package manager reports it (`dpkg -s` `Version:`, `rpm -q`
    ///     output or `%{VERSION}-%{RELEASE}`), nil when the package is absent.
    ///   - bundled: the bundled package's base name (`omi-1.6.10-2.ulinux.s.x64`) or version.
    ///   - manager: the ordering to use.
    ///   - force: allow a downgrade.
    public static func decide(installed: String?, bundled: String, manager: VersionScheme, force: Bool) -> Action {
        do throws(AgentError) {
            try validate(normalise(bundled), scheme: manager)
        } catch {
            return .invalid(AgentError(.integrity, "bundled package '\(OneLine.escaped(bundled))': \(error.message)"))
        }
        guard let installed else { return .install }
        let order: Int
        do throws(AgentError) {
            order = try compare(normalise(installed), normalise(bundled), scheme: manager)
        } catch {
            return .invalid(AgentError(.systemProblem, "installed version '\(OneLine.escaped(installed))': \(error.message)"))
        }
        if order < 0 { return .upgrade }
        if order == 0 { return .skip }
        return force ? .downgrade : .refuse
    }

    /// Orders two normalised versions under `scheme`: negative when `a` is older than `b`.
    /// - Throws: `AgentError` when either is not a valid version under the scheme.
    public static func compare(_ a: String, _ b: String, scheme: VersionScheme) throws(AgentError) -> Int {
        switch scheme {
        case .dpkg:
            return DebianVersion.compare(try DebianVersion(a), try DebianVersion(b))
        case .rpm:
            return RPMVersion.compare(try RPMVersion(a), try RPMVersion(b))
        }
    }

    /// Throws when `text` is not a valid version under `scheme`.
    private static func validate(_ text: String, scheme: VersionScheme) throws(AgentError) {
        switch scheme {
        case .dpkg: _ = try DebianVersion(text)
        case .rpm: _ = try RPMVersion(text)
        }
    }

    /// The contract's normalisation: drop the `<name>-` prefix, cut at the first `.universal.`, `.x64` or `.x86`,
    /// turn the first `-` into `.`, and keep at most four `.`-separated fields.
    ///
    /// `omi-1.6.10-2.ulinux.s.x64` → `1.6.10.2`; `omsagent-1.14.19-0.universal.x64` → `1.14.19.0`;
    /// `omi-1.6.10-2.x86_64` (rpm -q) → `1.6.10.2`; `1.6.10.2` → `1.6.10.2`.
    /// - Parameter packageName: the package name to drop; when nil, a leading name is everything up to the first
    ///   `-` that is followed by a digit, provided the text starts with a letter.
    public static func normalise(_ text: String, packageName: String? = nil) -> String {
        var s = Substring(text)
        if let packageName, s.hasPrefix(packageName + "-") {
            s = s.dropFirst(packageName.count + 1)
        } else if packageName == nil, let first = s.unicodeScalars.first, first.properties.isAlphabetic {
            let chars = Array(s)
            if let cut = chars.indices.dropLast().first(where: { chars[$0] == "-" && chars[$0 + 1].isASCII
                && chars[$0 + 1].isNumber }) {
                s = s.dropFirst(cut + 1)
            }
        }
        for marker in [".universal.", ".x64", ".x86"] {
            if let range = s.firstRange(of: marker) { s = s[..<range.lowerBound] }
        }
        var result = String(s)
        if let hyphen = result.firstIndex(of: "-") { result.replaceSubrange(hyphen...hyphen, with: ".") }
        return result.split(separator: ".", maxSplits: 4, omittingEmptySubsequences: false).prefix(4)
            .joined(separator: ".")
    }
}
