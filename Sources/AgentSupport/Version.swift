/// The version of this tool.
public enum AgentInstallerVersion {
    public static let current = "0.1.0"
}
