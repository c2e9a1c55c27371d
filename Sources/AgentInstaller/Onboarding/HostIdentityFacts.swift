#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// Host facts the onboarding request and `omsadmin.conf` need, read from the root (contract §10.5, §10.8).
public struct HostIdentityFacts: Sendable {
    public var fullyQualifiedDomainName: String
    public var operatingSystem: TopologyRequest.OperatingSystem?
    /// `<version>-<release>` for the User-Agent.
    public var agentVersion: String
    public var machineUUID: String
    public var cloudID: String
    public var warnings: [String] = []

    public init(root: HostRoot) {
        var name = ""
        if root.isLive {
            var buf = [CChar](repeating: 0, count: 256)
            if gethostname(&buf, 255) == 0 {
                name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        } else {
            name = root.readText("/etc/hostname") ?? ""
        }
        name = name.trimmingWhitespace()
        if !name.isEmpty, !name.contains("."), let fqdn = Self.fqdnFromHosts(root.readText("/etc/hosts") ?? "", host: name) {
            name = fqdn
        }
        fullyQualifiedDomainName = name.isEmpty ? "localhost" : name
        var os: [String: String] = [:]
        for line in (root.readText(AgentPaths.scxRelease) ?? "").split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            os[String(line[..<eq])] = String(line[line.index(after: eq)...]).trimmingWhitespace()
        }
        if let n = os["OSName"], let v = os["OSVersion"], let m = os["OSManufacturer"], !n.isEmpty, !v.isEmpty, !m.isEmpty {
            operatingSystem = .init(name: n, version: v, manufacturer: m, inContainer: root.exists(AgentPaths.containerHostname))
        } else {
            warnings.append("\(AgentPaths.scxRelease) is missing or incomplete: the request omits OperatingSystem")
        }
        let info = root.readText(AgentPaths.installInfo)?.split(separator: "\n").first?.split(separator: " ").first
        agentVersion = info.map(String.init) ?? "0.0.0-0"
        let uuid = root.readText("/sys/devices/virtual/dmi/id/product_uuid") ?? ""
        machineUUID = uuid.filter { !$0.isWhitespace }.lowercased()
        let tag = (root.readText("/sys/devices/virtual/dmi/id/chassis_asset_tag") ?? "").filter { !$0.isWhitespace }
        cloudID = tag.hasPrefix("77") ? tag : ""
    }

    /// Like `init(root:)`, and on the live host with `dmidecode` available takes `UUID` (as printed) and the
    /// `Asset Tag` starting with `77` from it, as upstream does (contract §10.8).
    public static func read(context: InstallContext) async -> HostIdentityFacts {
        var facts = HostIdentityFacts(root: context.root)
        guard context.root.isLive, let dmidecode = context.root.which("dmidecode"),
              let out = try? await context.runner.run([dmidecode], timeout: .seconds(30)), out.succeeded else {
            return facts
        }
        let parsed = parseDmidecode(out.standardOutput)
        if let uuid = parsed.uuid { facts.machineUUID = uuid }
        facts.cloudID = parsed.cloudID ?? facts.cloudID
        return facts
    }

    /// `hostname -f` without DNS: the canonical name of the `/etc/hosts` line that lists `host` and whose
    /// canonical name is `host.<domain>`.
    static func fqdnFromHosts(_ text: String, host: String) -> String? {
        for line in text.split(separator: "\n") {
            let names = (line.split(separator: "#", omittingEmptySubsequences: false).first ?? "")
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst()
            guard let canonical = names.first, names.contains(where: { $0 == host }) || canonical.hasPrefix(host + ".")
            else { continue }
            if canonical.hasPrefix(host + "."), canonical.count > host.count + 1 { return String(canonical) }
        }
        return nil
    }

    /// The first `UUID:` value and the first `Asset Tag:` value starting with `77`, spaces removed.
    static func parseDmidecode(_ text: String) -> (uuid: String?, cloudID: String?) {
        var uuid: String?
        var cloud: String?
        for line in text.split(separator: "\n") {
            let t = line.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if uuid == nil, t.hasPrefix("UUID:") {
                uuid = t.dropFirst(5).filter { !$0.isWhitespace }
            } else if cloud == nil, t.hasPrefix("Asset Tag:") {
                let v = t.dropFirst(10).filter { !$0.isWhitespace }
                if v.hasPrefix("77") { cloud = v }
            }
        }
        return (uuid, cloud)
    }
}
