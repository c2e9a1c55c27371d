import AgentSupport

/// The onboarded workspaces of a host and their statuses, printed byte-compatible with `omsadmin.sh -l`
/// (contract §10.15).
public struct WorkspaceInventory: Sendable, Codable, Equatable {
    /// The four statuses, with upstream's exact text.
    public enum Status: String, Sendable, Codable {
        case onboarded, registered, saved, failure

        public var text: String {
            switch self {
            case .onboarded: "Onboarded(OMSAgent Running)"
            case .registered: "Warning(OMSAgent Registered, Not Running)"
            case .saved: "Saved(OMSAgent Not Registered, Workspace Configuration Saved)"
            case .failure: "Failure(Agent Not Onboarded, No Workspace Configuration Present)"
            }
        }
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var workspace: String
        public var primary: Bool
        public var marker: String?
        public var status: Status
        public var statusText: String
    }

    public var workspaces: [Entry]

    /// Reads the workspaces under `root`; the root's `service_control is-running` decides "running" (its exit
    /// status 1 means running; see `WorkspaceService.isRunning`).
    public static func read(context: InstallContext) async -> WorkspaceInventory {
        let root = context.root
        var entries: [Entry] = []
        var primaryName: String?
        let confLink = AgentPaths.etc + "/conf"
        let linkReal = root.lexical(confLink)
        if FileIO.kind(linkReal, followLinks: false) == .symlink, let target = root.resolvedHostPath(confLink),
           target.hasPrefix(AgentPaths.etc + "/"), target.hasSuffix("/conf"), root.isDirectory(target) {
            primaryName = String(target.dropFirst(AgentPaths.etc.count + 1).dropLast(5))
        } else if root.isDirectory(confLink), let text = root.readText(confLink + "/omsadmin.conf"),
                  let ws = OmsAdminConf.entries(text).first(where: { $0.key == "WORKSPACE_ID" })?.value {
            // A pre-multi-homing host: its single workspace lives in ETC/conf.
            entries.append(Entry(workspace: ws, primary: true, marker: nil, status: .saved, statusText: ""))
        }
        if let p = primaryName {
            entries.append(Entry(workspace: p, primary: true, marker: nil, status: .failure, statusText: ""))
        }
        for name in root.list(AgentPaths.etc) where name != primaryName && (WorkspaceID.isGUID(name) || name == "scom") {
            guard root.isDirectory(AgentPaths.etc + "/" + name) else { continue }
            let marker = root.readText(AgentPaths.Workspace(name).marker)?.trimmingWhitespace()
            entries.append(Entry(workspace: name, primary: false, marker: marker ?? "", status: .failure, statusText: ""))
        }
        for i in entries.indices {
            let s = await status(entries[i].workspace, context: context, legacy: entries[i].primary && primaryName == nil)
            entries[i].status = s
            entries[i].statusText = s.text
        }
        return WorkspaceInventory(workspaces: entries)
    }

    static func status(_ ws: String, context: InstallContext, legacy: Bool) async -> Status {
        let root = context.root
        let confDir = legacy ? AgentPaths.etc + "/conf" : AgentPaths.Workspace(ws).confDir
        if await WorkspaceService.isRunning(ws, context: context) { return .onboarded }
        if root.exists(confDir + "/.service_registered") { return .registered }
        if root.exists(confDir + "/omsadmin.conf") { return .saved }
        return .failure
    }

    /// The `-l` text, each line ending in `\n`; exactly `No Workspace` when there is none.
    public var text: String {
        guard !workspaces.isEmpty else { return "No Workspace\n" }
        return workspaces.map { e in
            e.primary ? "Primary Workspace: \(e.workspace)    Status: \(e.status.text)\n"
                : "Workspace(\(e.marker ?? "")): \(e.workspace)    Status: \(e.status.text)\n"
        }.joined()
    }
}
