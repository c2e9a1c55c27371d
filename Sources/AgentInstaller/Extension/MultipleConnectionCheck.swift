import AgentSupport

/// Install's refusal to join a second workspace (§12, exit 10) when `stopOnMultipleConnections` is set, decided
/// from the directory layout of `ETC` (never by running `omsadmin.sh`) and, for SCOM, from OMI's port setting
/// and the SCX certificate read in process.
public struct MultipleConnectionCheck: Sendable {
    public var root: HostRoot
    public init(root: HostRoot) { self.root = root }

    /// The tag upstream puts in the message.
    public static let tag = "LINUXOMSAGENTEXTENSION_ERROR_MULTIPLECONNECTIONS"

    /// - Throws: exit 10 when another workspace or an SCOM connection is found.
    public func check(workspaceID target: String) throws(AgentError) {
        let directories = root.list(WorkspaceStateParking.etc).filter { root.isDirectory(WorkspaceStateParking.etc + "/" + $0) }
        // The target's own directory means this machine already reports there: allowed, whatever else exists.
        if directories.contains(where: { $0.lowercased() == target.lowercased() }) { return }
        if let other = directories.first(where: { $0 == "scom" || ExtensionSettings.isGUID($0) }) {
            throw AgentError(.multipleConnections,
                             "\(Self.tag): this machine already reports to workspace \(other); remove it or unset stopOnMultipleConnections")
        }
        if scomConnected() {
            throw AgentError(.multipleConnections,
                             "\(Self.tag): this machine is monitored by System Center Operations Manager (OMI port 1270 and an SCX certificate)")
        }
    }

    /// OMI's https port is 1270 and the SCX certificate's issuer is `CN=SCX-Certificate/title=SCX<GUID>, DC=…`.
    func scomConnected() -> Bool {
        guard let conf = root.readText("/etc/opt/omi/conf/omiserver.conf", limit: 1 << 20) else { return false }
        let ports = conf.split(separator: "\n").compactMap { line -> String? in
            let t = line.filter { !$0.isWhitespace }
            return t.hasPrefix("httpsport=") ? String(t.dropFirst("httpsport=".count)) : nil
        }
        guard ports.contains(where: { $0.split(separator: ",").contains("1270") }),
              let pem = root.readFile("/etc/opt/microsoft/scx/ssl/scx.pem", limit: 1 << 20),
              let certificate = try? X509Certificate(pem: pem) else { return false }
        let issuer = certificate.issuer
        let isSCX = issuer.contains { $0.type == "CN" && $0.value == "SCX-Certificate" }
        let hasTitle = issuer.contains { $0.type == "title" && $0.value.hasPrefix("SCX") && ExtensionSettings.isGUID(String($0.value.dropFirst(3))) }
        let hasDC = issuer.contains { $0.type == "DC" }
        return isSCX && hasTitle && hasDC
    }
}
