import AgentSupport
import ArgumentParser
import Preflight

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `agent-installer preflight`: the dry-run prerequisite report of a host tree or the live host.
struct PreflightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Report whether a host meets the agent's prerequisites (changes nothing).",
        discussion: "Exit 0 when ready (warnings allowed), else the documented code of the first failing check.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Evaluate the host tree under DIR by reading files only.") var root: String?
    @Option(help: "Output format: text or json.") var format: Format = .text
    @Option(name: .shortAndLong, help: "Workspace id (enables the network check on the live host).") var workspace: String?
    @Option(name: [.customShort("d"), .long], help: "Service domain.") var domain: String = "opinsights.azure.com"
    /// The proxy for the network check (`-p`, `--proxy-file`, `--proxy-stdin`).
    @OptionGroup var proxy: ProxyArguments
    @Flag(help: "Skip the network check.") var noNetwork = false
    @Option(help: "Extra CA bundle for verifying the service (TLS-inspecting proxies).") var cacert: String?
    @Option(help: "Probe this https:// URL instead of https://<ws>.oms.<domain> and the ods host (private endpoints, tests).")
    var endpoint: String?
    @Option(help: "Support matrix JSON file overriding the built-in one.") var supportMatrix: String?
    @Flag(help: "Report an unsupported distribution or architecture as a warning.") var allowUnsupported = false
    @Flag(help: "Fail (10) when the host is connected to another workspace.") var stopOnMultipleConnections = false

    func run() async throws {
        do {
            let report = try await Self.execute(
                root: root, workspace: workspace, domain: domain, network: !noNetwork,
                probe: NetworkArguments(proxy: try proxy.text(), cacert: cacert, endpoint: endpoint),
                supportMatrix: supportMatrix, allowUnsupported: allowUnsupported,
                stopOnMultipleConnections: stopOnMultipleConnections)
            print(format == .json ? report.json() : Self.render(report, colour: isatty(1) == 1))
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        } catch let e as AgentError {
            let line = Array("agent-installer: \(e.message)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            throw ExitCode(e.code.rawValue)
        }
    }

    /// The network probe's raw options (`-p`, `--cacert`, `--endpoint`).
    struct NetworkArguments {
        var proxy: String?
        var cacert: String?
        var endpoint: String?
    }

    /// Gathers the facts of `root` (nil = live host), probes the network when asked, and evaluates the checks.
    /// Bad options (proxy 4, CA file or endpoint 2) fail before anything is probed.
    static func execute(root: String?, workspace: String?, domain: String, network: Bool,
                        probe: NetworkArguments = NetworkArguments(), supportMatrix: String?,
                        allowUnsupported: Bool, stopOnMultipleConnections: Bool) async throws(AgentError)
        -> PreflightReport {
        let hostRoot = try root.map { p throws(AgentError) in try HostRoot(p) } ?? .live
        var options = PreflightOptions(allowUnsupported: allowUnsupported,
                                       stopOnMultipleConnections: stopOnMultipleConnections,
                                       workspaceID: workspace)
        var settings = NetworkProbe.Settings()
        settings.proxy = try probe.proxy.map { p throws(AgentError) in try HTTPProxy.parse(p, defaultPort: 80) }
        if let file = probe.cacert {
            guard FileIO.kind(file, followLinks: true) == .regular else {
                throw AgentError(.usage, "the CA bundle \(file) does not exist")
            }
            settings.caFile = file
        }
        options.proxy = settings.proxy
        if probe.endpoint != nil && workspace == nil {
            throw AgentError(.usage, "--endpoint needs the workspace id (-w)")
        }
        let targets = try workspace.map { w throws(AgentError) in
            try NetworkProbe.targets(workspaceID: w, domain: domain, endpoint: probe.endpoint)
        }
        if let file = supportMatrix {
            guard let bytes = FileIO.read(file, limit: 1 << 20) else {
                throw AgentError(.usage, "cannot read support matrix \(file)")
            }
            options.matrix = try SupportMatrix(json: bytes, source: file)
        }
        // The probe (bounded by its total timeout) runs while the host's facts are gathered.
        let probed = network && hostRoot.isLive ? targets : nil
        async let results: [NetworkProbe.Result]? = probed == nil ? nil
            : await NetworkProbe.probe(probed ?? [], settings: settings)
        let facts = await HostFacts.gather(root: hostRoot)
        return PreflightReport(facts: facts, options: options, network: await results)
    }

    /// The aligned text table: check, status, found, required; a remedy line under each failure or warning.
    static func render(_ r: PreflightReport, colour: Bool) -> String {
        let idW = max(5, r.checks.map(\.id.count).max() ?? 0)
        let sumW = min(60, max(5, r.checks.map(\.summary.count).max() ?? 0))
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func paint(_ s: Check.Status) -> String {
            let text = pad(s.rawValue.uppercased(), 4)
            guard colour else { return text }
            let code = switch s { case .pass: "32"; case .warn: "33"; case .fail: "31"; case .skip: "2" }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        let d = r.host.distro
        var lines = ["host: \(d.name ?? d.id ?? "unknown") · \(r.host.architecture ?? "?") · glibc \(r.host.glibc ?? "?")"
                     + " · OpenSSL \(r.host.openssl ?? "?") (flavour \(r.host.opensslFlavour?.rawValue ?? "none"))", ""]
        lines.append("\(pad("CHECK", idW))  STAT  \(pad("FOUND", sumW))  REQUIRED")
        for c in r.checks {
            lines.append("\(pad(c.id, idW))  \(paint(c.status))  \(pad(c.summary, sumW))  \(c.required)")
            if let remedy = c.remedy { lines.append("\(pad("", idW))        → \(remedy)") }
        }
        lines.append("")
        lines.append(r.exitCode == 0 ? "verdict: ready" : "verdict: blocked (exit \(r.exitCode))")
        return lines.joined(separator: "\n")
    }
}
