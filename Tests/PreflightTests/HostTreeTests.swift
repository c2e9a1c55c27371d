import AgentSupport
import Preflight
import Testing
import TestSupport

/// One expected row per fixture tree: what the facts must say and how the report ends.
struct TreeExpectation: Sendable, CustomStringConvertible {
    var tree: String
    var id: String?
    var version: String?
    var supported: Bool
    var glibc: String?
    var openssl: String?
    var flavour: String?
    var manager: String?
    var exitCode: Int32
    var failing: [String] = []
    var description: String { tree }
}

let expectations: [TreeExpectation] = [
    .init(tree: "rhel-6", id: "rhel", version: "6.10", supported: true, glibc: "2.12", openssl: "1.0.1e", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "rhel-7", id: "rhel", version: "7.9", supported: true, glibc: "2.17", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "rhel-8", id: "rhel", version: "8.6", supported: true, glibc: "2.28", openssl: "1.1.1k", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "rhel-9", id: "rhel", version: "9.2", supported: true, glibc: "2.34", openssl: "3.0.7", flavour: "300", manager: "rpm", exitCode: 0),
    .init(tree: "centos-6", id: "centos", version: "6.10", supported: true, glibc: "2.12", openssl: "1.0.1e", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "centos-7", id: "centos", version: "7", supported: true, glibc: "2.17", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "centos-8", id: "centos", version: "8", supported: true, glibc: "2.28", openssl: "1.1.1k", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "oracle-6", id: "ol", version: "6.10", supported: true, glibc: "2.12", openssl: "1.0.1e", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "oracle-7", id: "ol", version: "7.9", supported: true, glibc: "2.17", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "oracle-8", id: "ol", version: "8.8", supported: true, glibc: "2.28", openssl: "1.1.1k", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "debian-8", id: "debian", version: "8", supported: true, glibc: "2.19", openssl: "1.0.1t", flavour: "100", manager: "dpkg", exitCode: 0),
    .init(tree: "debian-9", id: "debian", version: "9", supported: true, glibc: "2.24", openssl: "1.1.0l", flavour: "110", manager: "dpkg", exitCode: 0),
    .init(tree: "debian-10", id: "debian", version: "10", supported: true, glibc: "2.28", openssl: "1.1.1n", flavour: "110", manager: "dpkg", exitCode: 0),
    .init(tree: "debian-11", id: "debian", version: "11", supported: true, glibc: "2.31", openssl: "1.1.1w", flavour: "110", manager: "dpkg", exitCode: 0),
    .init(tree: "debian-12", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 0),
    .init(tree: "ubuntu-14.04", id: "ubuntu", version: "14.04", supported: true, glibc: "2.19", openssl: "1.0.1f", flavour: "100", manager: "dpkg", exitCode: 0),
    .init(tree: "ubuntu-16.04", id: "ubuntu", version: "16.04", supported: true, glibc: "2.23", openssl: "1.0.2g", flavour: "100", manager: "dpkg", exitCode: 0),
    .init(tree: "ubuntu-18.04", id: "ubuntu", version: "18.04", supported: true, glibc: "2.27", openssl: "1.1.1", flavour: "110", manager: "dpkg", exitCode: 0),
    .init(tree: "ubuntu-20.04", id: "ubuntu", version: "20.04", supported: true, glibc: "2.31", openssl: "1.1.1f", flavour: "110", manager: "dpkg", exitCode: 0),
    .init(tree: "ubuntu-22.04", id: "ubuntu", version: "22.04", supported: true, glibc: "2.35", openssl: "3.0.2", flavour: "300", manager: "dpkg", exitCode: 0),
    .init(tree: "sles-12", id: "sles", version: "12.5", supported: true, glibc: "2.22", openssl: "1.0.2p", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "sles-15", id: "sles", version: "15.4", supported: true, glibc: "2.31", openssl: "1.1.1l", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "opensuse-leap-15", id: "opensuse-leap", version: "15.5", supported: true, glibc: "2.31", openssl: "1.1.1l", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "rocky-8", id: "rocky", version: "8.9", supported: true, glibc: "2.28", openssl: "1.1.1k", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "rocky-9", id: "rocky", version: "9.3", supported: true, glibc: "2.34", openssl: "3.0.7", flavour: "300", manager: "rpm", exitCode: 0),
    .init(tree: "alma-8", id: "almalinux", version: "8.9", supported: true, glibc: "2.28", openssl: "1.1.1k", flavour: "110", manager: "rpm", exitCode: 0),
    .init(tree: "alma-9", id: "almalinux", version: "9.3", supported: true, glibc: "2.34", openssl: "3.0.7", flavour: "300", manager: "rpm", exitCode: 0),
    .init(tree: "amzn-2017.09", id: "amzn", version: "2017.09", supported: true, glibc: "2.17", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "amzn-2", id: "amzn", version: "2", supported: true, glibc: "2.26", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    .init(tree: "rhel-7-rpmdb", id: "rhel", version: "7.9", supported: true, glibc: "2.17", openssl: "1.0.2k", flavour: "100", manager: "rpm", exitCode: 0),
    // unsupported releases and legacy layouts
    .init(tree: "debian-13", id: "debian", version: "13", supported: false, glibc: "2.41", openssl: "3.5.1", flavour: "300", manager: "dpkg", exitCode: 51, failing: ["os.distro"]),
    .init(tree: "ubuntu-24.04", id: "ubuntu", version: "24.04", supported: false, glibc: "2.39", openssl: "3.0.13", flavour: "300", manager: "dpkg", exitCode: 51, failing: ["os.distro"]),
    .init(tree: "amzn-2023", id: "amzn", version: "2023", supported: false, glibc: "2.34", openssl: "3.0.8", flavour: "300", manager: "rpm", exitCode: 51, failing: ["os.distro"]),
    .init(tree: "fedora-39", id: "fedora", version: "39", supported: false, glibc: "2.38", openssl: "3.1.1", flavour: "300", manager: "rpm", exitCode: 51, failing: ["os.distro"]),
    .init(tree: "sles-11", id: "sles", version: "11.4", supported: false, glibc: "2.11", openssl: "0.9.8", flavour: nil, manager: "rpm", exitCode: 51, failing: ["os.distro", "openssl"]),
    .init(tree: "alpine-3.19", id: "alpine", version: "3.19.1", supported: false, glibc: nil, openssl: nil, flavour: "300", manager: nil, exitCode: 51,
          failing: ["os.distro", "packages.manager", "python", "tools.gpg", "pam"]),
    .init(tree: "legacy-lsb-ubuntu-14.04", id: "ubuntu", version: "14.04", supported: true, glibc: "2.19", openssl: "1.0.1f", flavour: "100", manager: "dpkg", exitCode: 0),
    .init(tree: "legacy-debian-8", id: "debian", version: "8.11", supported: true, glibc: "2.19", openssl: "1.0.1t", flavour: "100", manager: "dpkg", exitCode: 0),
    // edge cases
    .init(tree: "edge-no-curl", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 55, failing: ["curl"]),
    .init(tree: "edge-no-python", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 60, failing: ["python"]),
    .init(tree: "edge-no-ctypes", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 61, failing: ["python.ctypes"]),
    .init(tree: "edge-no-pam", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 52, failing: ["pam"]),
    .init(tree: "edge-openssl-3.1", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.1.4", flavour: "300", manager: "dpkg", exitCode: 0),
    .init(tree: "edge-openssl-1.0.0", id: "debian", version: "8", supported: true, glibc: "2.19", openssl: "1.0.0t", flavour: nil, manager: "dpkg", exitCode: 55, failing: ["openssl"]),
    .init(tree: "edge-no-version-id", id: "debian", version: nil, supported: false, glibc: "2.40", openssl: "3.2.2", flavour: "300", manager: "dpkg", exitCode: 51, failing: ["os.distro"]),
    .init(tree: "edge-aarch64", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 51, failing: ["os.arch"]),
    .init(tree: "edge-onboarded", id: "debian", version: "12", supported: true, glibc: "2.36", openssl: "3.0.11", flavour: "300", manager: "dpkg", exitCode: 0),
]

@Suite struct HostTreeTests {
    @Test(arguments: expectations)
    func factsAndVerdict(_ e: TreeExpectation) async throws {
        let r = try await HostTrees.report(e.tree)
        #expect(r.host.distro.id == e.id)
        #expect(r.host.distro.version == e.version)
        #expect(r.host.distro.supported == e.supported)
        #expect(r.host.glibc == e.glibc)
        #expect(r.host.openssl == e.openssl)
        #expect(r.host.opensslFlavour?.rawValue == e.flavour)
        #expect(r.host.packageManager?.rawValue == e.manager)
        #expect(r.exitCode == e.exitCode)
        #expect(r.verdict == (e.exitCode == 0 ? "ready" : "blocked"))
        #expect(r.checks.filter { $0.status == .fail }.map(\.id) == e.failing)
        if e.tree != "edge-aarch64" && e.tree != "alpine-3.19" { #expect(r.host.architecture == "x86_64") }
    }

    @Test func theFixtureCoversEveryMatrixRowAndEnoughReleases() {
        let supported = expectations.filter(\.supported)
        for row in SupportMatrix.default.distributions {
            for v in row.versions {
                #expect(supported.contains { e in
                    SupportMatrix.default.distribution(for: e.id ?? "") == row
                        && SupportMatrix.versionMatches(allowed: v, actual: e.version ?? "")
                }, "no tree for \(row.name) \(v)")
            }
        }
        #expect(Set(expectations.map(\.tree)).count >= 18)
    }

    @Test func absoluteAlternativesSymlinksResolveInsideTheTree() async throws {
        let f = try await HostTrees.facts("rhel-8")
        // /usr/bin/python3 -> /etc/alternatives/python3 -> /usr/bin/python3.6, all under the root.
        #expect(f.python.python3 == "3.6")
        #expect(f.python.alias == nil)
        #expect(f.python.ctypes == true)
        let u = try await HostTrees.facts("ubuntu-18.04")
        #expect(u.python.python2 == "2.7")
        #expect(u.python.alias == "python2")
        #expect(u.python.chosenPath == "/usr/bin/python2")
    }

    @Test func versionsFromARealRPMDatabase() async throws {
        // The tree has no libc-X.Y.so, no versioned libssl name and no curl executable: only its rpmdb tells.
        let f = try await HostTrees.facts("rhel-7-rpmdb")
        #expect(f.packages?.source == .rpm)
        #expect(f.packages?.entry("openssl-libs")?.version == "1.0.2k")
        #expect(f.glibc == "2.17")
        #expect(f.curlVersion == "7.29.0")
        #expect(f.curl.path == nil && f.curl.package == "curl")
        #expect(f.python.python2 == "2.7.5")
        #expect(f.pam == "pam 1.1.8")
    }

    @Test func nothingInTheTreeIsExecuted() async throws {
        // Every program a probe could run exists in the tree as a script that leaves a marker when run.
        let dir = TemporaryDirectory()
        let marker = dir.url("ran")
        try dir.write("tree/etc/redhat-release", "Red Hat Enterprise Linux release 8.6 (Ootpa)\n")
        try dir.write("tree/etc/os-release", "ID=rhel\nVERSION_ID=8.6\n")
        try dir.write("tree/var/lib/rpm/Packages", "not a database")
        for p in ["usr/bin/openssl", "usr/bin/curl", "usr/bin/python3", "usr/bin/python2", "usr/bin/rpm", "bin/rpm",
                  "usr/bin/dpkg", "usr/bin/tar", "usr/bin/sed", "usr/bin/gpg", "usr/bin/uname", "usr/bin/ldd"] {
            try dir.write("tree/" + p, "#!/bin/sh\necho \"$0\" >> \(marker)\n", mode: 0o755)
        }
        let f = await HostFacts.gather(root: try HostRoot(dir.url("tree")))
        #expect(f.packageManager == .rpm)
        #expect(f.python.python3 == "3")
        #expect(!dir.exists("ran"))
    }

    @Test func bothPythonsPreferPython2AndNoWarning() async throws {
        let r = try await HostTrees.report("ubuntu-18.04")
        #expect(r.host.python.python2 == "2.7")
        #expect(r.host.python.python3 == "3.6.1")
        #expect(r.checks.first { $0.id == "python.alias" }?.status == .pass)
    }

    @Test func openSSL31IsAcceptedWithAWarning() async throws {
        let r = try await HostTrees.report("edge-openssl-3.1")
        let c = try #require(r.checks.first { $0.id == "openssl" })
        #expect(c.status == .warn)
        #expect(c.summary.contains("outside upstream's tested range"))
        #expect(c.summary.contains("3.1.4"))
    }

    @Test func allowUnsupportedTurns51IntoAWarning() async throws {
        let r = try await HostTrees.report("debian-13", options: PreflightOptions(allowUnsupported: true))
        #expect(r.exitCode == 0)
        #expect(r.checks.first { $0.id == "os.distro" }?.status == .warn)
    }

    @Test func aLeftoverSyslogConfigIsNotADaemon() async throws {
        // edge-no-python has rsyslogd; debian-12 too. A tree with only the config-files dpkg record:
        let dir = TemporaryDirectory()
        try dir.write("etc/debian_version", "12\n")
        try dir.write("etc/rsyslog.conf", "# leftover\n")
        try dir.write("var/lib/dpkg/status", "Package: rsyslog\nStatus: deinstall ok config-files\nVersion: 8-1\n\n")
        let f = await HostFacts.gather(root: try HostRoot(dir.path))
        #expect(f.syslogDaemon == nil)
        #expect(f.packageManager == .dpkg)
    }

    @Test func onboardedHostBlocksOnlyWithStopOnMultipleConnections() async throws {
        let other = try await HostTrees.report("edge-onboarded",
                                                options: PreflightOptions(stopOnMultipleConnections: true,
                                                                          workspaceID: "11111111-2222-3333-4444-555555555555"))
        #expect(other.exitCode == 10)
        let same = try await HostTrees.report("edge-onboarded",
                                               options: PreflightOptions(stopOnMultipleConnections: true,
                                                                         workspaceID: "0b5a1e7c-1111-4c2d-9e8f-0123456789ab"))
        #expect(same.exitCode == 0)
        let f = try await HostTrees.facts("edge-onboarded")
        #expect(f.existingAgent.packages["omsagent"] == "1.14.19")
    }

    @Test func privilegesBlockOnlyForInstall() async throws {
        var f = try await HostTrees.facts("debian-12")
        f.isRoot = false
        var o = PreflightOptions()
        o.minimumFreeBytes = 0
        #expect(PreflightReport(facts: f, options: o).exitCode == 0)
        o.forInstall = true
        #expect(PreflightReport(facts: f, options: o).exitCode == 5)
    }

    @Test func diskThresholdUsesTheTreesFileSystem() async throws {
        let f = try await HostTrees.facts("debian-12")
        #expect(f.disk.map(\.path) == ["/var", "/etc", "/opt"])
        #expect(f.disk.allSatisfy { ($0.availableBytes ?? -1) >= 0 })
        var o = PreflightOptions()
        o.minimumFreeBytes = Int64.max
        let r = PreflightReport(facts: f, options: o)
        #expect(r.exitCode == 52)
        #expect(r.checks.first { $0.status == .fail }?.id == "disk")
    }
}
