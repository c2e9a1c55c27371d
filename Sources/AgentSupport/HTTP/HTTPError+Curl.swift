import CAgentCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension HTTPError {
    /// Classifies a failed perform. Returns the error and whether another attempt may succeed.
    /// The message names the target (`display`, no query) and the proxy without its password, and any text
    /// from libcurl has the proxy password masked in case it ever echoed it.
    static func classify(_ outcome: CurlOutcome, target: HTTPURL, proxy: HTTPProxy?,
                         configuration: HTTPClientConfiguration) -> (error: HTTPError, retryable: Bool) {
        let detail = mask(outcome.detail, proxy: proxy)
        let place = "\(target.host):\(target.port)"
        let via = proxy.map { " via proxy \($0.host):\($0.port)" } ?? ""
        if let proxy, outcome.connectStatus == 407 {
            let why = proxy.user == nil ? "requires credentials" : "rejected the credentials of user \(proxy.user!)"
            return (HTTPError(.proxyAuthentication, "the proxy \(proxy.host):\(proxy.port) \(why) (HTTP 407)"), false)
        }
        if let proxy, outcome.connectStatus != 0, !(200...299).contains(outcome.connectStatus) {
            return (HTTPError(.proxy, "the proxy \(proxy.host):\(proxy.port) refused the tunnel to \(place) "
                              + "(HTTP \(outcome.connectStatus))"), outcome.connectStatus >= 500)
        }
        let code = outcome.code
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return (HTTPError(.dns, "cannot resolve host \(target.host)\(via)"), false)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return (HTTPError(.proxy, "cannot resolve the proxy host \(proxy?.host ?? "?")"), false)
        case CURLE_COULDNT_CONNECT:
            let reason = outcome.osErrno != 0 ? String(cString: strerror(outcome.osErrno)) : detail
            if let proxy {
                return (HTTPError(.proxy, "cannot connect to the proxy \(proxy.host):\(proxy.port): \(reason)"), true)
            }
            return (HTTPError(.connect, "cannot connect to \(place): \(reason)"), true)
        case CURLE_PROXY:
            return (HTTPError(.proxy, "proxy failure\(via): \(detail)"), false)
        case CURLE_PEER_FAILED_VERIFICATION:
            return (HTTPError(.tlsVerification, "cannot verify the TLS certificate of \(place): \(detail)"), false)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return (HTTPError(.tls, "TLS failure with \(place): \(detail)"), false)
        case CURLE_OPERATION_TIMEDOUT:
            let lower = detail.lowercased()
            let what: String
            if lower.contains("too slow") {
                let seconds = max(1, (configuration.stallTimeout.wholeMilliseconds + 999) / 1000)
                what = "the transfer from \(target.display) stalled (under \(max(1, configuration.stallSpeed)) bytes/s "
                    + "for \(seconds) s)"
            } else if lower.contains("connect") || lower.contains("resolv") {
                what = "connecting to \(place)\(via) timed out"
            } else {
                what = "the transfer from \(target.display) took longer than allowed"
            }
            return (HTTPError(.timeout, what), true)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_HTTP3:
            return (HTTPError(.connectionLost, "the connection to \(place)\(via) broke: \(detail)"), true)
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR:
            return (HTTPError(.aborted, "the transfer from \(target.display) was cancelled"), false)
        case CURLE_TOO_MANY_REDIRECTS:
            return (HTTPError(.other, "too many redirects from \(target.display)"), false)
        default:
            return (HTTPError(.other, "the transfer from \(target.display)\(via) failed: \(detail)"), false)
        }
    }

    /// The error for a complete response with a failing status.
    static func status(_ response: HTTPResponse, target: HTTPURL, proxy: HTTPProxy?) -> (error: HTTPError, retryable: Bool) {
        let code = response.status
        let retryable = code == 408 || code == 429 || (500...599).contains(code)
        if code == 407, let proxy {
            return (HTTPError(.proxyAuthentication, "the proxy \(proxy.host):\(proxy.port) requires authentication (HTTP 407)",
                              response: response), false)
        }
        return (HTTPError(.httpStatus(code), "HTTP status \(code) from \(target.display)", response: response), retryable)
    }

    /// `text` with the proxy password (if any) replaced by `***`.
    static func mask(_ text: String, proxy: HTTPProxy?) -> String {
        guard let password = proxy?.password?.reveal(), !password.isEmpty, text.contains(password) else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: password) {
            out += rest[..<range.lowerBound] + "***"
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
