import CAgentCurl

/// libcurl is initialised once per process, before the first handle (curl_global_init is not re-entrant).
private let curlGlobalInitialisation: CURLcode = curl_global_init(cagent_global_default())

/// What libcurl reported after one perform.
struct CurlOutcome {
    var code: CURLcode
    /// libcurl's own one-line explanation (CURLOPT_ERRORBUFFER), possibly empty.
    var detail: String
    /// The proxy's answer to CONNECT (0 when there was none).
    var connectStatus: Int
    /// errno of the last failed socket operation (e.g. ECONNREFUSED).
    var osErrno: Int32

    init(code: CURLcode, detail: String, connectStatus: Int, osErrno: Int32) {
        self.code = code
        self.detail = detail
        self.connectStatus = connectStatus
        self.osErrno = osErrno
    }

    /// An outcome from libcurl's numeric result code (for tests of the classification).
    init(curlCode: UInt32, detail: String = "", connectStatus: Int = 0, osErrno: Int32 = 0) {
        self.init(code: CURLcode(rawValue: curlCode), detail: detail, connectStatus: connectStatus, osErrno: osErrno)
    }
}

/// One request as libcurl options: the fixed, safe settings plus the request's own. Builds a handle per
/// attempt (nothing is shared between attempts or threads).
struct CurlRequest: Sendable {
    var method: String
    var url: String
    var headers: [HTTPHeader]
    var body: [UInt8]?
    var proxy: HTTPProxy?
    var configuration: HTTPClientConfiguration

    /// Runs one attempt to completion on the calling thread.
    /// - Parameters:
    ///   - timeout: the attempt's share of the total bound, nil for none.
    ///   - ifRange: validator sent with a `Range` request (ETag or Last-Modified of the earlier response).
    func perform(_ attempt: CurlAttempt, timeout: Duration?, ifRange: String?) -> CurlOutcome {
        _ = curlGlobalInitialisation
        guard let handle = curl_easy_init() else {
            return CurlOutcome(code: CURLE_FAILED_INIT, detail: "cannot create a libcurl handle", connectStatus: 0,
                               osErrno: 0)
        }
        attempt.handle = handle
        defer {
            attempt.finalStatus = attempt.status
            attempt.handle = nil
            curl_easy_cleanup(handle)
        }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(cagent_error_size()) + 1)
        var failed: String?
        func set(_ option: CURLoption, _ name: String, _ rc: CURLcode) {
            if rc != CURLE_OK, failed == nil { failed = "libcurl rejected option \(name)" }
        }
        let c = configuration
        set(CURLOPT_URL, "URL", cagent_setopt_string(handle, CURLOPT_URL, url))
        set(CURLOPT_NOSIGNAL, "NOSIGNAL", cagent_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(CURLOPT_PROTOCOLS_STR, "PROTOCOLS_STR", cagent_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(CURLOPT_REDIR_PROTOCOLS_STR, "REDIR_PROTOCOLS_STR",
            cagent_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        if c.maximumRedirects > 0 {
            set(CURLOPT_FOLLOWLOCATION, "FOLLOWLOCATION", cagent_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
            set(CURLOPT_MAXREDIRS, "MAXREDIRS", cagent_setopt_long(handle, CURLOPT_MAXREDIRS, c.maximumRedirects))
        }
        // TLS: 1.2 or newer, verification on unless explicitly turned off.
        set(CURLOPT_SSLVERSION, "SSLVERSION", cagent_setopt_long(handle, CURLOPT_SSLVERSION, cagent_sslversion_tlsv1_2()))
        set(CURLOPT_SSL_VERIFYPEER, "SSL_VERIFYPEER", cagent_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, c.insecure ? 0 : 1))
        set(CURLOPT_SSL_VERIFYHOST, "SSL_VERIFYHOST", cagent_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, c.insecure ? 0 : 2))
        // An explicit CA file, else the distribution's bundle found at the usual paths (a static libcurl has no
        // built-in default that matches every distro).
        if let ca = c.caFile ?? CABundle.system(in: .live)?.path {
            set(CURLOPT_CAINFO, "CAINFO", cagent_setopt_string(handle, CURLOPT_CAINFO, ca))
        }
        if let cert = c.clientCertificate {
            set(CURLOPT_SSLCERT, "SSLCERT", cagent_setopt_string(handle, CURLOPT_SSLCERT, cert))
            set(CURLOPT_SSLCERTTYPE, "SSLCERTTYPE", cagent_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM"))
        }
        if let key = c.clientKey {
            set(CURLOPT_SSLKEY, "SSLKEY", cagent_setopt_string(handle, CURLOPT_SSLKEY, key))
            set(CURLOPT_SSLKEYTYPE, "SSLKEYTYPE", cagent_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM"))
        }
        // Proxy: always explicit, so libcurl never consults the environment on its own.
        set(CURLOPT_PROXY, "PROXY", cagent_setopt_string(handle, CURLOPT_PROXY, proxy?.curlAddress ?? ""))
        set(CURLOPT_NOPROXY, "NOPROXY", cagent_setopt_string(handle, CURLOPT_NOPROXY, ""))
        if let proxy {
            set(CURLOPT_HTTPPROXYTUNNEL, "HTTPPROXYTUNNEL", cagent_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, 1))
            set(CURLOPT_SUPPRESS_CONNECT_HEADERS, "SUPPRESS_CONNECT_HEADERS",
                cagent_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
            if let user = proxy.user, let password = proxy.password {
                set(CURLOPT_PROXYAUTH, "PROXYAUTH", cagent_setopt_long(handle, CURLOPT_PROXYAUTH, cagent_auth_basic()))
                set(CURLOPT_PROXYUSERNAME, "PROXYUSERNAME", cagent_setopt_string(handle, CURLOPT_PROXYUSERNAME, user))
                set(CURLOPT_PROXYPASSWORD, "PROXYPASSWORD",
                    cagent_setopt_string(handle, CURLOPT_PROXYPASSWORD, password.reveal()))
            }
        }
        if c.forceHTTP11 {
            set(CURLOPT_HTTP_VERSION, "HTTP_VERSION", cagent_setopt_long(handle, CURLOPT_HTTP_VERSION, cagent_http_version_1_1()))
        }
        // Time bounds.
        set(CURLOPT_CONNECTTIMEOUT_MS, "CONNECTTIMEOUT_MS",
            cagent_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, c.connectTimeout.wholeMilliseconds))
        set(CURLOPT_LOW_SPEED_LIMIT, "LOW_SPEED_LIMIT", cagent_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, max(1, c.stallSpeed)))
        set(CURLOPT_LOW_SPEED_TIME, "LOW_SPEED_TIME",
            cagent_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, (c.stallTimeout.wholeMilliseconds + 999) / 1000)))
        if let timeout {
            set(CURLOPT_TIMEOUT_MS, "TIMEOUT_MS", cagent_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, timeout.wholeMilliseconds)))
        }
        if let agent = c.userAgent { set(CURLOPT_USERAGENT, "USERAGENT", cagent_setopt_string(handle, CURLOPT_USERAGENT, agent)) }
        // Method, body, headers.
        switch method {
        case "GET": break
        case "HEAD": set(CURLOPT_NOBODY, "NOBODY", cagent_setopt_long(handle, CURLOPT_NOBODY, 1))
        default: set(CURLOPT_CUSTOMREQUEST, "CUSTOMREQUEST", cagent_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        if let body {
            set(CURLOPT_POST, "POST", cagent_setopt_long(handle, CURLOPT_POST, 1))
            set(CURLOPT_POSTFIELDSIZE_LARGE, "POSTFIELDSIZE_LARGE",
                cagent_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies `body.count` bytes now (the size was set first), so no buffer must outlive this.
            var bytes = body
            if bytes.isEmpty { bytes = [0] }
            bytes.withUnsafeMutableBytes { raw in
                set(CURLOPT_COPYPOSTFIELDS, "COPYPOSTFIELDS", cagent_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, raw.baseAddress))
            }
        }
        var lines = headers.map { "\($0.name): \($0.value)" }
        lines.append("Expect:")  // no 100-continue round trip; the body goes with the request
        if attempt.resumeFrom > 0 {
            set(CURLOPT_RANGE, "RANGE", cagent_setopt_string(handle, CURLOPT_RANGE, "\(attempt.resumeFrom)-"))
            if let ifRange { lines.append("If-Range: \(ifRange)") }
        }
        for line in lines { list = curl_slist_append(list, HTTPText.oneLine(line)) }
        set(CURLOPT_HTTPHEADER, "HTTPHEADER", cagent_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        // Callbacks and their state.
        let context = Unmanaged.passUnretained(attempt).toOpaque()
        set(CURLOPT_WRITEFUNCTION, "WRITEFUNCTION", cagent_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        set(CURLOPT_WRITEDATA, "WRITEDATA", cagent_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set(CURLOPT_HEADERFUNCTION, "HEADERFUNCTION", cagent_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        set(CURLOPT_HEADERDATA, "HEADERDATA", cagent_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        set(CURLOPT_XFERINFOFUNCTION, "XFERINFOFUNCTION",
            cagent_setopt_xferinfo_callback(handle, CURLOPT_XFERINFOFUNCTION, curlProgressCallback))
        set(CURLOPT_XFERINFODATA, "XFERINFODATA", cagent_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
        set(CURLOPT_NOPROGRESS, "NOPROGRESS", cagent_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        if let failed {
            return CurlOutcome(code: CURLE_FAILED_INIT, detail: failed, connectStatus: 0, osErrno: 0)
        }
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            guard cagent_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress) == CURLE_OK else {
                return CURLE_FAILED_INIT
            }
            let rc = withExtendedLifetime(attempt) { curl_easy_perform(handle) }
            _ = cagent_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            return rc
        }
        if code == CURLE_OK { attempt.decide() }
        var connect = 0
        _ = cagent_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &connect)
        var osErrno = 0
        _ = cagent_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        return CurlOutcome(code: code, detail: detail, connectStatus: connect, osErrno: Int32(truncatingIfNeeded: osErrno))
    }
}
