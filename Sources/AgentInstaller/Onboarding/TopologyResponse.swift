import AgentSupport

/// What a 200 answer to the topology request provides (contract §10.6), parsed by element name regardless of
/// namespace. Parse problems do not fail onboarding: the keys are written empty and `problem` explains.
public struct TopologyResponse: Sendable, Equatable {
    /// `CertificateUpdateEndpoint` text, or "".
    public var certificateUpdateEndpoint: String = ""
    /// `DscConfiguration/Endpoint` text, or "".
    public var dscEndpoint: String = ""
    /// The `updateCertificate` attribute (ignored during onboarding; the daemon acts on it later).
    public var updateCertificate: Bool?
    /// The upstream parser's code when something was missing (9 element/attribute, 10 cert-update URL), nil when
    /// complete; `problem` says what.
    public var parseCode: Int?
    public var problem: String?

    public init() {}

    /// Parses a 200 body.
    public init(parsing body: [UInt8]) {
        let doc: XMLDocument
        do {
            doc = try XMLDocument(parsing: body)
        } catch {
            parseCode = 9
            problem = "the service's answer is not XML (\(error.description))"
            return
        }
        var problems: [String] = []
        if let cert = doc.root.first("CertificateUpdateEndpoint") {
            certificateUpdateEndpoint = cert.trimmedText
            switch cert.attributes["updateCertificate"]?.lowercased() {
            case "true": updateCertificate = true
            case "false": updateCertificate = false
            default:
                parseCode = 9
                problems.append("CertificateUpdateEndpoint has no updateCertificate attribute")
            }
            if certificateUpdateEndpoint.isEmpty {
                parseCode = parseCode ?? 10
                problems.append("the certificate update URL is missing")
            }
        } else {
            parseCode = 9
            problems.append("CertificateUpdateEndpoint is missing")
        }
        if let dsc = doc.root.first("DscConfiguration")?.child("Endpoint"), !dsc.trimmedText.isEmpty {
            dscEndpoint = dsc.trimmedText
        } else {
            parseCode = parseCode ?? 9
            problems.append("DscConfiguration/Endpoint is missing")
        }
        if !problems.isEmpty { problem = problems.joined(separator: "; ") }
    }

    /// The `<Reason>` text of a 403 body, nil when absent or unreadable.
    public static func reason(in body: [UInt8]) -> String? {
        guard let doc = try? XMLDocument(parsing: body), let r = doc.root.first("Reason")?.trimmedText,
              !r.isEmpty else { return nil }
        return r
    }
}
