import AgentSupport
import FoundationEssentials

/// What the Azure instance metadata service (IMDS) tells enable when the settings leave it out (contract §8.3
/// steps 3 and 6): the VM's resource id and the cloud's service domain. Asked directly (never through a proxy)
/// with a short timeout; any failure means "unknown" (a classic VM or a machine outside Azure).
public struct InstanceMetadata: Sendable, Equatable {
    /// `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/…/virtualMachines/<name>`, when known.
    public var resourceID: String?
    /// The service domain of the VM's cloud (`compute.azEnvironment`), nil when absent or unknown (public).
    public var domain: String?

    /// The IMDS address of an Azure VM.
    public static let defaultURL = "http://169.254.169.254/metadata/instance?api-version=2018-10-01"

    /// Azure Arc's systemd drop-in that sets `IMDS_ENDPOINT` for the Arc agent (`himdsd`).
    public static let arcConfiguration = "/lib/systemd/system.conf.d/azcmagent.conf"
    /// The instance path and API version asked of the Arc endpoint.
    public static let arcInstancePath = "/metadata/instance?api-version=2019-08-15"

    /// The Arc instance-metadata URL: `IMDS_ENDPOINT` (an `http://` URL, in a `DefaultEnvironment=`/`Environment=`
    /// line, quoted or not) of `arcConfiguration` under the root plus `arcInstancePath`; nil when absent or unusable.
    public static func arcURL(root: HostRoot) -> String? {
        guard let text = root.readText(arcConfiguration, limit: 1 << 16) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let range = line.firstRange(of: "IMDS_ENDPOINT=") else { continue }
            let value = line[range.upperBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != "'" }
            var endpoint = String(value)
            while endpoint.hasSuffix("/") { endpoint.removeLast() }
            guard endpoint.hasPrefix("http://"), endpoint.count > 7,
                  endpoint.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else { continue }
            return endpoint + arcInstancePath
        }
        return nil
    }

    /// `compute.azEnvironment` (lowercased) → service domain (contract §8.3 step 6).
    public static let cloudDomains: [String: String] = [
        "azurepubliccloud": "opinsights.azure.com",
        "azureusgovernmentcloud": "opinsights.azure.us",
        "azurechinacloud": "opinsights.azure.cn",
        "usnat": "opinsights.azure.eaglex.ic.gov",
        "ussec": "opinsights.azure.microsoft.scloud",
    ]

    public init(resourceID: String? = nil, domain: String? = nil) {
        self.resourceID = resourceID
        self.domain = domain
    }

    private struct Document: Decodable {
        struct Compute: Decodable {
            var subscriptionId: String?
            var resourceGroupName: String?
            var name: String?
            var vmScaleSetName: String?
            var azEnvironment: String?
        }
        var compute: Compute?
    }

    /// The facts in an IMDS answer; a resource id the onboarding would refuse is dropped.
    public static func parse(_ body: [UInt8]) -> InstanceMetadata {
        guard let doc = try? JSONDecoder().decode(Document.self, from: Data(body)), let c = doc.compute else {
            return InstanceMetadata()
        }
        var result = InstanceMetadata(domain: c.azEnvironment.flatMap { cloudDomains[$0.lowercased()] })
        if let sub = c.subscriptionId, let rg = c.resourceGroupName, let name = c.name,
           !sub.isEmpty, !rg.isEmpty, !name.isEmpty {
            var id = "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.Compute/"
            if let vmss = c.vmScaleSetName, !vmss.isEmpty { id += "virtualMachineScaleSets/\(vmss)/" }
            id += "virtualMachines/\(name)"
            if (try? OmsAdminConf.validateResourceID(id)) != nil { result.resourceID = id }
        }
        return result
    }

    /// Asks `url` with `Metadata: True`, no proxy, no retries and `timeout` overall; nil on any failure.
    public static func fetch(url: String = defaultURL, timeout: Duration = .seconds(2)) async -> InstanceMetadata? {
        var configuration = HTTPClientConfiguration()
        configuration.proxy = .direct
        configuration.connectTimeout = timeout
        configuration.totalTimeout = timeout
        configuration.retries = 0
        configuration.maximumRedirects = 0
        guard let response = try? await HTTPClient(configuration).get(url, headers: [HTTPHeader("Metadata", "True")]),
              response.isSuccess else { return nil }
        return parse(response.body)
    }
}
