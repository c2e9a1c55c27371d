import AgentSupport

/// The pre-flight checks in their blocking order, evaluated over gathered facts. The install calls
/// `evaluate(_:options:)` with `forInstall: true`; the `preflight` command reports the same list.
public enum Preflight {
    /// All checks, in the documented order: the exit code is that of the first failing one.
    public static func evaluate(_ f: HostFacts, options: PreflightOptions,
                                network: [NetworkProbe.Result]? = nil) -> [Check] {
        var checks: [Check] = []
        checks.append(privileges(f, options))
        checks += osChecks(f, options)
        checks += packageChecks(f)
        checks += dependencyChecks(f)
        checks += systemChecks(f, options)
        checks.append(NetworkProbe.check(network, proxy: options.proxy))
        checks.append(pythonAlias(f))
        checks.append(syslog(f))
        checks.append(NetworkProbe.clockCheck(network))
        return checks
    }

    /// The exit code of the first failing check; 0 when none fails.
    public static func exitCode(of checks: [Check]) -> Int32 {
        checks.first { $0.status == .fail }?.exitCode ?? 0
    }

    static func privileges(_ f: HostFacts, _ o: PreflightOptions) -> Check {
        if f.isRoot { return Check("privileges", .pass, found: "running as root", required: "root") }
        return Check("privileges", o.forInstall ? .fail : .warn, found: "not running as root", required: "root",
                     remedy: "run the install as root (sudo)", failCode: .notRootOrForbidden)
    }

    static func osChecks(_ f: HostFacts, _ o: PreflightOptions) -> [Check] {
        let d = f.distro
        let found = [d.name ?? d.id ?? "unknown distribution", d.version.map { "(version \($0))" }]
            .compactMap { $0 }.joined(separator: " ")
        let supported = d.id.map { o.matrix.supports(id: $0, version: d.version) } ?? false
        let bad: Check.Status = o.allowUnsupported ? .warn : .fail
        let distro = Check("os.distro", supported ? .pass : bad, found: found,
                           required: "a distribution of the support matrix",
                           remedy: "use a supported release, or --allow-unsupported to try anyway",
                           failCode: .unsupportedOS)
        let archOK = f.architecture.map { o.matrix.architectures.contains($0) } ?? false
        let arch = Check("os.arch", archOK ? .pass : bad, found: f.architecture ?? "unknown architecture",
                         required: o.matrix.architectures.joined(separator: ", "),
                         remedy: "the agent is built for \(o.matrix.architectures.joined(separator: ", ")) only",
                         failCode: .unsupportedOS)
        return [distro, arch]
    }

    static func packageChecks(_ f: HostFacts) -> [Check] {
        let pm = Check("packages.manager", f.packageManager == nil ? .fail : .pass,
                       found: f.packageManager?.rawValue ?? "neither dpkg nor rpm", required: "dpkg or rpm",
                       remedy: "the agent installs with dpkg or rpm only", failCode: .noPackageManager)
        let lock: Check
        if f.packageManager == nil {
            lock = Check("packages.lock", .skip, found: "no package manager", required: "lock free")
        } else if let h = f.lockHolder {
            lock = Check("packages.lock", .fail, found: h.description, required: "lock free",
                         remedy: "wait for that process (apt, unattended-upgrades, the VM agent) to finish",
                         failCode: .dependencyUnusable)
        } else {
            lock = Check("packages.lock", .pass, found: "not locked", required: "lock free")
        }
        return [pm, lock]
    }

    static func dependencyChecks(_ f: HostFacts) -> [Check] {
        var out: [Check] = []
        let ver = f.openssl ?? "unknown version"
        if let flavour = f.opensslFlavour {
            let tested = f.opensslRule?.isTested(version: f.openssl) ?? false
            let src = f.opensslSoname.map { " (\($0))" } ?? ""
            out.append(Check("openssl", tested ? .pass : .warn,
                             found: "OpenSSL \(ver)\(src) → flavour \(flavour.rawValue)"
                                + (tested ? "" : ", accepted, outside upstream's tested range"),
                             required: "OpenSSL 1.0.1–1.0.2, 1.1.x or 3.x",
                             remedy: "expected to work (same library ABI); report problems"))
        } else {
            let found = f.opensslSoname == nil && f.openssl == nil ? "no OpenSSL library found"
                : "OpenSSL \(ver)\(f.opensslSoname.map { " (\($0))" } ?? "") does not have a supported version"
            out.append(Check("openssl", .fail, found: found, required: "OpenSSL 1.0.1–1.0.2, 1.1.x or 3.x",
                             remedy: "install the distribution's OpenSSL library (libssl)", failCode: .dependencyUnusable))
        }
        out.append(toolCheck(f.curl, id: "curl", code: .dependencyUnusable, version: f.curlVersion))
        let py = f.python
        if py.python2 == nil && py.python3 == nil {
            out.append(Check("python", .fail, found: "no python2 or python3 on PATH", required: "python2 or python3",
                             remedy: "install python3 (only omsconfig/DSC needs it; it can be skipped)",
                             failCode: .pythonMissing))
            out.append(Check("python.ctypes", .skip, found: "no python", required: "ctypes"))
        } else {
            let found = [py.python2.map { "python2 \($0)" }, py.python3.map { "python3 \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
            out.append(Check("python", .pass, found: found, required: "python2 or python3"))
            let which = py.chosenPath ?? "python"
            switch py.ctypes {
            case true?: out.append(Check("python.ctypes", .pass, found: "\(which) has ctypes", required: "ctypes"))
            case false?:
                out.append(Check("python.ctypes", .fail, found: "\(which) has no ctypes", required: "ctypes",
                                 remedy: "install the python ctypes module (libffi); only omsconfig needs it",
                                 failCode: .ctypesMissing))
            case nil:
                out.append(Check("python.ctypes", .warn, found: "could not tell whether \(which) has ctypes",
                                 required: "ctypes", remedy: "check with: \(which) -c 'import ctypes'"))
            }
        }
        let codes: [String: ExitCode] = ["tar": .tarMissing, "sed": .sedMissing, "gpg": .gpgMissing]
        for tool in f.tools {
            out.append(toolCheck(tool, id: "tools.\(tool.name)", code: codes[tool.name] ?? .systemProblem, version: nil))
        }
        return out
    }

    static func toolCheck(_ t: HostFacts.Tool, id: String, code: ExitCode, version: String?) -> Check {
        guard t.isPresent else {
            return Check(id, .fail, found: "\(t.name) not installed and not on PATH", required: t.name,
                         remedy: "install the \(t.name) package", failCode: code)
        }
        let found = [t.name, version, t.path.map { "at \($0)" } ?? t.package.map { "package \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
        return Check(id, .pass, found: found, required: t.name)
    }

    static func systemChecks(_ f: HostFacts, _ o: PreflightOptions) -> [Check] {
        var out: [Check] = []
        out.append(Check("pam", f.pam == nil ? .fail : .pass, found: f.pam ?? "no PAM library found",
                         required: "PAM (libpam)", remedy: "install the PAM library package (libpam0g / pam)",
                         failCode: .systemProblem))
        let need = o.minimumFreeBytes
        let low = f.disk.filter { ($0.availableBytes ?? 0) < need }
        let found = f.disk.map { "\($0.path) \($0.availableBytes.map { "\($0 / 1_048_576) MB" } ?? "unknown")" }
            .joined(separator: ", ")
        out.append(Check("disk", low.isEmpty ? .pass : .fail, found: found, required: "\(need / 1_048_576) MB free each",
                         remedy: "free space under \(low.map(\.path).joined(separator: ", "))", failCode: .systemProblem))
        out.append(existing(f, o))
        return out
    }

    static func existing(_ f: HostFacts, _ o: PreflightOptions) -> Check {
        let a = f.existingAgent
        if a.packages.isEmpty && a.workspaces.isEmpty {
            return Check("agent.existing", .pass, found: "no agent installed", required: "—")
        }
        let pk = a.packages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let ws = a.workspaces.isEmpty ? "no workspace" : "workspaces " + a.workspaces.joined(separator: ", ")
        let found = [pk.isEmpty ? nil : pk, ws].compactMap { $0 }.joined(separator: "; ")
        let target = o.workspaceID?.lowercased()
        let others = a.workspaces.filter { $0.lowercased() != target }
        let allowed = target != nil && a.workspaces.contains { $0.lowercased() == target }
        if !allowed && !others.isEmpty {
            return Check("agent.existing", o.stopOnMultipleConnections ? .fail : .warn, found: found,
                         required: "no connection to another workspace",
                         remedy: "the host already reports to \(others.joined(separator: ", ")); remove it first or multi-home",
                         failCode: .multipleConnections)
        }
        return Check("agent.existing", .pass, found: found, required: "—")
    }

    static func pythonAlias(_ f: HostFacts) -> Check {
        let p = f.python
        if p.python2 == nil && p.python3 == nil {
            return Check("python.alias", .skip, found: "no python", required: "`python` command")
        }
        if let alias = p.alias { return Check("python.alias", .pass, found: "python → \(alias)", required: "`python`") }
        return Check("python.alias", .warn, found: "no `python` command", required: "`python` command",
                     remedy: "older agent scripts call `python`; install python-is-python3 or an alternative")
    }

    static func syslog(_ f: HostFacts) -> Check {
        if let d = f.syslogDaemon { return Check("syslog", .pass, found: d, required: "rsyslog or syslog-ng") }
        return Check("syslog", .warn, found: "no syslog daemon installed", required: "rsyslog or syslog-ng",
                     remedy: "install rsyslog to collect syslog data (everything else works without it)")
    }
}
