import AgentSupport
import FoundationEssentials

/// The machine-readable pre-flight report (`--format json`, schemaVersion 1). Unknown facts are null.
public struct PreflightReport: Sendable, Codable {
    /// The host part of the report.
    public struct Host: Sendable, Codable {
        public struct Distro: Sendable, Codable {
            public var id: String?
            public var version: String?
            public var name: String?
            public var supported: Bool
        }
        public struct Python: Sendable, Codable {
            public var python2: String?
            public var python3: String?
            public var alias: String?
        }
        public var distro: Distro
        public var architecture: String?
        public var glibc: String?
        public var openssl: String?
        public var opensslFlavour: OpenSSLFlavour?
        public var curl: String?
        public var python: Python
        public var syslogDaemon: String?
        public var packageManager: PackageManagerKind?
    }

    public var schemaVersion = 1
    /// `ready` (exit 0, warnings allowed) or `blocked`.
    public var verdict: String
    public var exitCode: Int32
    public var host: Host
    public var checks: [Check]

    /// The report of `facts` evaluated with `options` (and network results when probed).
    public init(facts f: HostFacts, options: PreflightOptions, network: [NetworkProbe.Result]? = nil) {
        checks = Preflight.evaluate(f, options: options, network: network)
        exitCode = Preflight.exitCode(of: checks)
        verdict = exitCode == 0 ? "ready" : "blocked"
        let supported = f.distro.id.map { options.matrix.supports(id: $0, version: f.distro.version) } ?? false
        host = Host(
            distro: .init(id: f.distro.id, version: f.distro.version, name: f.distro.name, supported: supported),
            architecture: f.architecture, glibc: f.glibc, openssl: f.openssl, opensslFlavour: f.opensslFlavour,
            curl: f.curlVersion,
            python: .init(python2: f.python.python2, python3: f.python.python3, alias: f.python.alias),
            syslogDaemon: f.syslogDaemon, packageManager: f.packageManager)
    }

    /// One JSON object with every key present (nulls written), keys sorted.
    public func json() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? enc.encode(NullWriting(self)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Encodes optionals as explicit `null` (synthesised Codable omits nil keys).
private struct NullWriting: Encodable {
    let report: PreflightReport
    init(_ r: PreflightReport) { report = r }

    enum K: String, CodingKey {
        case schemaVersion, verdict, exitCode, host, checks, distro, architecture, glibc, openssl, opensslFlavour,
             curl, python, syslogDaemon, packageManager, id, version, name, supported, python2, python3, alias
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(report.schemaVersion, forKey: .schemaVersion)
        try c.encode(report.verdict, forKey: .verdict)
        try c.encode(report.exitCode, forKey: .exitCode)
        let h = report.host
        var hc = c.nestedContainer(keyedBy: K.self, forKey: .host)
        var dc = hc.nestedContainer(keyedBy: K.self, forKey: .distro)
        try dc.encode(h.distro.id, forKey: .id)
        try dc.encode(h.distro.version, forKey: .version)
        try dc.encode(h.distro.name, forKey: .name)
        try dc.encode(h.distro.supported, forKey: .supported)
        try hc.encode(h.architecture, forKey: .architecture)
        try hc.encode(h.glibc, forKey: .glibc)
        try hc.encode(h.openssl, forKey: .openssl)
        try hc.encode(h.opensslFlavour, forKey: .opensslFlavour)
        try hc.encode(h.curl, forKey: .curl)
        var pc = hc.nestedContainer(keyedBy: K.self, forKey: .python)
        try pc.encode(h.python.python2, forKey: .python2)
        try pc.encode(h.python.python3, forKey: .python3)
        try pc.encode(h.python.alias, forKey: .alias)
        try hc.encode(h.syslogDaemon, forKey: .syslogDaemon)
        try hc.encode(h.packageManager, forKey: .packageManager)
        try c.encode(report.checks, forKey: .checks)
    }
}
