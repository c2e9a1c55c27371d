import AgentInstaller
import AgentSupport
import ArgumentParser

/// Network options shared by the bundle commands that download.
struct BundleNetworkOptions: ParsableArguments {
    /// `-p`, `--proxy-file`, `--proxy-stdin`; without any of them https_proxy/no_proxy are honoured.
    @OptionGroup var proxy: ProxyArguments

    @Option(help: "PEM file of the CA(s) to trust for the server (default: the system's).")
    var cacert: String?

    @Option(name: .customLong("progress-file"), help: "Append JSON-lines progress events to this file.")
    var progressFile: String?

    @Option(name: .customLong("stall-timeout"), help: "Seconds without data before a transfer fails (default 60).")
    var stallTimeout: Int = 60

    @Option(help: "Further attempts after a transient failure (default 3).")
    var retries: Int = 3

    /// The HTTP client configuration these options describe.
    func configuration() throws(AgentError) -> HTTPClientConfiguration {
        var config = HTTPClientConfiguration()
        config.caFile = cacert
        if let text = try proxy.text() { config.proxy = .proxy(try HTTPProxy.parse(text)) }
        guard stallTimeout > 0, retries >= 0 else {
            throw AgentError(.usage, "--stall-timeout must be positive and --retries not negative")
        }
        config.stallTimeout = .seconds(stallTimeout)
        config.retries = retries
        config.retryDelay = .milliseconds(500)
        return config
    }
}
