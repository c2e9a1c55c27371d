import AgentInstaller
import AgentSupport
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The onboarding options, shared by `onboard` and `install`.
struct OnboardingArguments: ParsableArguments {
    @Option(name: [.customShort("w"), .long], help: "Workspace id (a GUID).")
    var workspace: String?

    @Option(name: .customLong("key-file"), help: "Read the workspace key from FILE.")
    var keyFile: String?

    @Flag(name: .customLong("key-stdin"), help: "Read the workspace key from standard input.")
    var keyStdin = false

    @Option(name: [.customShort("s"), .customLong("shared-key")],
            help: "The workspace key on the command line (visible to every local user; prefer --key-file).")
    var sharedKey: String?

    @Option(name: [.customShort("d"), .long], help: "Service domain (default opinsights.azure.com).")
    var domain: String?

    @OptionGroup var proxy: ProxyArguments

    @Option(name: [.customShort("a"), .customLong("azure-resource-id")], help: "Azure resource id of this machine.")
    var azureResourceID: String?

    @Option(name: [.customShort("m"), .customLong("multihoming-marker")], help: "Onboard as a secondary workspace.")
    var marker: String?

    @Option(help: "Replaces https://<ws>.oms.<domain> (private endpoints, tests).")
    var endpoint: String?

    @Option(help: "Extra CA bundle for verifying the service (TLS-inspecting proxies).")
    var cacert: String?

    @Flag(help: "Send a fresh onboarding request even when the workspace is onboarded, running and unchanged.")
    var reonboard = false

    /// True when any onboarding option was given (for `install`).
    var requested: Bool { workspace != nil || keyFile != nil || keyStdin || sharedKey != nil }

    /// For `install` and `plan`: the onboarding options when any were given, and the proxy for a bundle download,
    /// read once (standard input, a file or -p): onboarding's, else the download's own.
    func installRequest() throws(AgentError) -> (options: OnboardingOptions?, downloadProxy: HTTPProxy?) {
        if requested {
            let options = try options()
            return (options, options.proxy?.httpProxy)
        }
        return (nil, try proxy.text().map { (p) throws(AgentError) in try HTTPProxy.parse(p) })
    }

    /// Validates everything before anything is written (exit 3 for id/key, 4 for the proxy).
    func options() throws(AgentError) -> OnboardingOptions {
        guard let workspace else { throw AgentError(.missingModeOrInvalidID, "the workspace id is missing (-w)") }
        let ws = try WorkspaceID(workspace)
        let sources = [keyFile != nil, keyStdin, sharedKey != nil].filter { $0 }.count
        guard sources == 1 else {
            throw AgentError(sources == 0 ? .missingModeOrInvalidID : .usage,
                             sources == 0 ? "the workspace key is missing (--key-file, --key-stdin or -s)"
                                          : "give the workspace key once (--key-file, --key-stdin or -s)")
        }
        // Standard input is read once: with --key-stdin and --proxy-stdin the key is line 1, the proxy line 2.
        let input = keyStdin || proxy.proxyStdin ? SecretStandardInput.read() : nil
        let text: Secret
        if let keyFile {
            guard let bytes = FileIO.read(keyFile, limit: 4096) else {
                throw AgentError(.missingModeOrInvalidID, "cannot read the key file \(keyFile)")
            }
            text = Secret(bytes: bytes)
        } else if keyStdin {
            text = Secret(bytes: (proxy.proxyStdin ? input?.line(0) : input?.bytes) ?? [])
        } else {
            CommandFailure.printError(
                "agent-installer: warning: a key given with -s is visible to every local user; use --key-file or --key-stdin")
            text = Secret(sharedKey ?? "")
        }
        let key = try WorkspaceKey(text)
        let dom = try domain.map { (d) throws(AgentError) in try ServiceDomain(d) } ?? .default
        let proxyText = try proxy.text(standardInputLine: input?.line(keyStdin ? 1 : 0))
        let proxyConfiguration = try proxyText.map { (p) throws(AgentError) in try ProxyConfiguration.parse(p) }
        if let cacert, FileIO.kind(cacert, followLinks: true) != .regular {
            throw AgentError(.usage, "the CA bundle \(cacert) does not exist")
        }
        var options = try OnboardingOptions(workspace: ws, key: key, domain: dom, proxy: proxyConfiguration,
                                            azureResourceID: azureResourceID, multihomingMarker: marker,
                                            endpoint: endpoint, caFile: cacert)
        options.reonboard = reonboard
        return options
    }
}
