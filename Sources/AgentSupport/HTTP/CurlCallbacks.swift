import CAgentCurl

// libcurl's callbacks. Each receives the `CurlAttempt` of its transfer as userdata (passed unretained; the
// attempt outlives `curl_easy_perform` through `withExtendedLifetime`). They run on the transfer's thread.

/// CURLOPT_WRITEFUNCTION: body bytes of the final response. Returning less than offered aborts the transfer.
let curlWriteCallback: cagent_data_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let attempt = Unmanaged<CurlAttempt>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    return attempt.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// CURLOPT_HEADERFUNCTION: one header line at a time (status lines included; the proxy's CONNECT answer is
/// suppressed with CURLOPT_SUPPRESS_CONNECT_HEADERS).
let curlHeaderCallback: cagent_data_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let attempt = Unmanaged<CurlAttempt>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    attempt.headerLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// CURLOPT_XFERINFOFUNCTION: called often, also while a connection is silent; non-zero aborts the transfer,
/// which is how a cancelled task stops a stalled download promptly.
let curlProgressCallback: cagent_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 1 }
    let attempt = Unmanaged<CurlAttempt>.fromOpaque(userdata).takeUnretainedValue()
    return attempt.cancellation.isCancelled ? 1 : 0
}
