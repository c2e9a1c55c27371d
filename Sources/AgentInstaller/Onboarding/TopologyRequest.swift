/// The onboarding request body (`AgentTopologyRequest`, contract §10.5): the XML declaration, one `\n`, then the
/// root element on one line with no trailing newline. Children in the contract's order, text XML-escaped.
public struct TopologyRequest: Sendable, Equatable {
    /// `OperatingSystem` facts; the whole element is omitted when any of name, version, manufacturer is missing.
    public struct OperatingSystem: Sendable, Equatable {
        public var name: String
        public var version: String
        public var manufacturer: String
        public var inContainer: Bool
        public init(name: String, version: String, manufacturer: String, inContainer: Bool) {
            self.name = name
            self.version = version
            self.manufacturer = manufacturer
            self.inContainer = inContainer
        }
    }

    public var fullyQualifiedDomainName: String
    public var agentGUID: String
    /// The certificate's PEM Base64 lines joined with `\n`, without BEGIN/END lines and trailing newline.
    public var certificateBody: String
    public var operatingSystem: OperatingSystem?

    public init(fullyQualifiedDomainName: String, agentGUID: String, certificateBody: String,
                operatingSystem: OperatingSystem?) {
        self.fullyQualifiedDomainName = fullyQualifiedDomainName
        self.agentGUID = agentGUID
        self.certificateBody = certificateBody
        self.operatingSystem = operatingSystem
    }

    /// The exact bytes that are hashed and sent.
    public var body: [UInt8] { Array(xml.utf8) }

    public var xml: String {
        var s = "<?xml version=\"1.0\"?>\n"
        s += "<AgentTopologyRequest xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        s += " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        s += " xmlns=\"http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/\">"
        s += element("FullyQualfiedDomainName", fullyQualifiedDomainName)
        s += element("EntityTypeId", agentGUID)
        s += element("AuthenticationCertificate", certificateBody)
        if let os = operatingSystem {
            s += "<OperatingSystem>"
            s += element("InContainer", os.inContainer ? "True" : "False")
            s += element("Name", os.name)
            s += element("Version", os.version)
            s += element("Manufacturer", os.manufacturer)
            s += "<Telemetry/>"
            s += element("ProcessorArchitecture", "x64")
            s += "</OperatingSystem>"
        }
        s += "</AgentTopologyRequest>"
        return s
    }

    private func element(_ name: String, _ text: String) -> String {
        "<\(name)>\(Self.escape(text))</\(name)>"
    }

    /// XML text escaping of `&`, `<`, `>`, `"`, `'`.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
