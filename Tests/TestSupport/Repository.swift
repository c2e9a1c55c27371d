/// The checkout the tests run from, and the binary `swift build` made in it (`scripts/test` builds before testing).
public enum Repository {
    /// The checkout's root directory.
    public static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)  // Tests/TestSupport/Repository.swift
        return parts.joined(separator: "/")
    }()

    /// The debug build of agent-installer.
    public static let binary = root + "/.build/debug/agent-installer"
}
