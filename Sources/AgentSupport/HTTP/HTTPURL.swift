/// The parts of an `http://` or `https://` URL the client needs before handing it to libcurl: the scheme (to
/// pick a proxy variable), the host (for `no_proxy`) and a form safe for messages (no user info, no query, which
/// may carry a token).
struct HTTPURL: Sendable, Equatable {
    var isHTTPS: Bool
    /// Lowercased host; an IPv6 literal without brackets.
    var host: String
    var port: Int
    /// `scheme://host:port/path` without user info, query or fragment.
    var display: String

    init(_ text: String) throws(HTTPError) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            isHTTPS = true
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            isHTTPS = false
            rest = text.dropFirst(7)
        } else {
            throw HTTPError(.other, "only http:// and https:// URLs are supported")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0.isNewline }) else {
            throw HTTPError(.other, "the URL has no valid host")
        }
        host = hostPart.lowercased()
        if let portPart, !portPart.isEmpty {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw HTTPError(.other, "the URL has an invalid port")
            }
            port = value
        } else {
            port = isHTTPS ? 443 : 80
        }
        let pathEnd = rest[authorityEnd...].firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let path = rest[authorityEnd..<pathEnd]
        let shownHost = host.contains(":") ? "[\(host)]" : host
        display = (isHTTPS ? "https://" : "http://") + shownHost + ":\(port)" + path
    }
}
