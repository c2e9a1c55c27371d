/// Users and groups of a host tree, read from `etc/passwd` and `etc/group` under its root (no NSS, so it works
/// in a static binary and for `--root` trees).
public struct UserDatabase: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
        public var shell: String
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var gid: UInt32
        public var members: [String]
    }

    public var users: [User]
    public var groups: [Group]

    /// Reads the databases of `root`; missing files give empty lists.
    public init(root: HostRoot) {
        self.init(passwd: root.readText("/etc/passwd") ?? "", group: root.readText("/etc/group") ?? "")
    }

    /// Parses the text of `passwd` and `group` files. Malformed lines are skipped.
    public init(passwd: String, group: String) {
        users = passwd.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 7, !f[0].hasPrefix("#"), let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { return nil }
            return User(name: f[0], uid: uid, gid: gid, home: f[5], shell: f[6])
        }
        groups = group.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, !f[0].hasPrefix("#"), let gid = UInt32(f[2]) else { return nil }
            return Group(name: f[0], gid: gid, members: f[3].split(separator: ",").map(String.init))
        }
    }

    public func user(named name: String) -> User? { users.first { $0.name == name } }
    public func group(named name: String) -> Group? { groups.first { $0.name == name } }
    public func user(uid: UInt32) -> User? { users.first { $0.uid == uid } }
    public func group(gid: UInt32) -> Group? { groups.first { $0.gid == gid } }

    /// The numeric owner for `user:group`, or an error naming what is missing (exit 52).
    public func owner(user: String, group: String) throws(AgentError) -> (uid: UInt32, gid: UInt32) {
        guard let u = self.user(named: user) else {
            throw AgentError(.systemProblem, "user \(user) does not exist in etc/passwd of the target root")
        }
        guard let g = self.group(named: group) else {
            throw AgentError(.systemProblem, "group \(group) does not exist in etc/group of the target root")
        }
        return (u.uid, g.gid)
    }
}
